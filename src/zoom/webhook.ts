import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Zoom event notifications: the signature check and the URL-validation answer, as pure
 * functions (zoom-api.md §6). The signature covers the raw body bytes exactly as received:
 *   x-zm-signature = "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))
 */

export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type SignatureCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature';
    };

export interface SignedRequest {
  readonly rawBody: Buffer;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

export function signatureFor(secret: string, timestamp: string, rawBody: Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${timestamp}:`, 'utf8');
  mac.update(rawBody);
  return `v0=${mac.digest('hex')}`;
}

export function verifySignature(
  req: SignedRequest,
  secret: string,
  nowMs: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  const { timestamp, signature } = req;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: 'missing_headers' };
  }
  // The timestamp is Unix seconds; outside the window a valid signature is a replay.
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  const expected = Buffer.from(signatureFor(secret, timestamp, req.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  return { ok: true };
}

/** The answer to `endpoint.url_validation`. */
export function urlValidationAnswer(
  plainToken: string,
  secret: string,
): { plainToken: string; encryptedToken: string } {
  return {
    plainToken,
    encryptedToken: createHmac('sha256', secret).update(plainToken, 'utf8').digest('hex'),
  };
}

export interface ZoomEvent {
  readonly event: string;
  readonly payload: Record<string, unknown>;
  /** Milliseconds when Zoom gives a number; the text as given otherwise; null if absent. */
  readonly eventTs: number | string | null;
}

/** Reads the envelope; null when the body is not an event. */
export function readEvent(body: unknown): ZoomEvent | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const o = body as Record<string, unknown>;
  if (typeof o.event !== 'string' || o.event.length === 0 || o.event.length > 128) return null;
  const payload =
    typeof o.payload === 'object' && o.payload !== null && !Array.isArray(o.payload)
      ? (o.payload as Record<string, unknown>)
      : {};
  // `event_ts` is top-level in real deliveries but inside `payload` in Zoom's example.
  const ts = o.event_ts ?? payload.event_ts;
  const eventTs = typeof ts === 'number' || typeof ts === 'string' ? ts : null;
  return { event: o.event, payload, eventTs };
}

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The user an `app_deauthorized` event is about, if its payload names one sanely. */
export function deauthorizedUserId(event: ZoomEvent): string | null {
  const id = event.payload.user_id;
  return typeof id === 'string' && USER_ID.test(id) ? id : null;
}
