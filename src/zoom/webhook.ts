import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Zoom event notifications: the signature check and the URL-validation answer, as pure
 * functions (zoom-api.md §6). The signature covers the raw body bytes exactly as received:
 *   x-zm-signature = "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))
 */

/** How old a notification may be: every event but one. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
/**
 * `app_deauthorized` may be older: Zoom retries a delivery that got a 5xx or no answer at
 * about +5, +20 and +60 minutes, and does not document whether a retry carries a fresh
 * timestamp. The event only ever deletes a grant made before its own time, so an old copy of
 * it can undo nothing that should stay (SECURITY.md).
 */
export const DEAUTHORIZATION_TOLERANCE_SECONDS = 24 * 60 * 60;

export type SignatureFailure =
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'missing_signature'
  | 'malformed_signature'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'bad_signature';

export type SignatureCheck =
  | { readonly ok: true; readonly ageSeconds: number }
  | { readonly ok: false; readonly reason: SignatureFailure; readonly ageSeconds: number | null };

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

const SIGNATURE_SHAPE = /^v0=[0-9a-f]{64}$/;

/**
 * Checks the signature, and that the timestamp is at most `maxAgeSeconds` old and at most the
 * usual tolerance ahead (clock skew). The timestamp is Unix seconds.
 */
export function verifySignature(
  req: SignedRequest,
  secret: string,
  nowMs: number,
  maxAgeSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  const { timestamp, signature } = req;
  if (!timestamp) return { ok: false, reason: 'missing_timestamp', ageSeconds: null };
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: 'malformed_timestamp', ageSeconds: null };
  }
  const ageSeconds = Math.round(nowMs / 1000 - Number(timestamp));
  if (!signature) return { ok: false, reason: 'missing_signature', ageSeconds };
  if (!SIGNATURE_SHAPE.test(signature)) {
    return { ok: false, reason: 'malformed_signature', ageSeconds };
  }
  if (ageSeconds > maxAgeSeconds) return { ok: false, reason: 'stale_timestamp', ageSeconds };
  if (-ageSeconds > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'future_timestamp', ageSeconds };
  }
  const expected = Buffer.from(signatureFor(secret, timestamp, req.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature', ageSeconds };
  }
  return { ok: true, ageSeconds };
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

/** `2024-09-08 15:58:40` (Zoom's example of event_ts), read as UTC. */
const ZOOM_EXAMPLE_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function timeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  if (typeof value !== 'string' || value.length > 64) return null;
  const text = ZOOM_EXAMPLE_DATE.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

/**
 * When the user removed the app (epoch ms): `payload.deauthorization_time`, else the event's
 * `event_ts`, else null (the caller then uses the signed timestamp).
 */
export function deauthorizationTime(event: ZoomEvent): number | null {
  return timeOf(event.payload.deauthorization_time) ?? timeOf(event.eventTs);
}
