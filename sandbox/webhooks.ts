import { createHmac } from 'node:crypto';
import type { SandboxContext } from './context';
import { newRequestId, randomBase64Url, randomHex } from './ids';
import type { SandboxState, SandboxUser } from './state';

export type SignMode = 'valid' | 'bad' | 'none';

/**
 * x-zm-signature: v0=hex(HMAC_SHA256(secret, "v0:" + timestamp + ":" + rawBody))
 * (https://developers.zoom.us/docs/api/webhooks/).
 */
export function zoomSignature(secret: string, timestamp: number, rawBody: string): string {
  const hmac = createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return `v0=${hmac}`;
}

/** The CRC answer for endpoint.url_validation (https://developers.zoom.us/docs/api/webhooks/). */
export function encryptPlainToken(secret: string, plainToken: string): string {
  return createHmac('sha256', secret).update(plainToken).digest('hex');
}

/** The real 2025 app_deauthorized delivery shape (https://devforum.zoom.us/t/133778). */
export function appDeauthorizedBody(ctx: SandboxContext, user: SandboxUser): string {
  const now = Date.now();
  return JSON.stringify({
    event: 'app_deauthorized',
    event_ts: now,
    payload: {
      account_id: user.profile.account_id,
      client_id: ctx.state.clientId,
      deauthorization_time: new Date(now).toISOString(),
      // "A unique ID for each instance of app deauthorization", not an HMAC.
      signature: randomHex(32),
      user_data_retention: null,
      user_id: user.profile.id,
    },
  });
}

export function urlValidationBody(plainToken: string): string {
  return JSON.stringify({
    payload: { plainToken },
    event_ts: Date.now(),
    event: 'endpoint.url_validation',
  });
}

export function newPlainToken(): string {
  return randomBase64Url(16);
}

export interface DeliveryOptions {
  sign: SignMode;
  /** Unix seconds for x-zm-request-timestamp; default now (a stale one tests replay checks). */
  timestamp?: number;
}

/** One event notification, ready to POST; retries reuse it (webhook-delivery.ts). */
export interface PreparedWebhook {
  /** The x-zm-request-id, kept for every attempt of the event. */
  id: string;
  url: string;
  rawBody: string;
  sign: SignMode;
  secret?: string;
  /** Everything but the timestamp and signature. */
  baseHeaders: Record<string, string>;
  /** The first attempt's headers, timestamp and signature included. */
  headers: Record<string, string>;
}

export interface AttemptOutcome {
  /** The receiver's HTTP status; 0 when nothing was received (network error, timeout). */
  status: number;
  body: string;
  error?: string;
}

/** Zoom wants a 2xx "within three seconds"; a later answer counts as none (S-WH). */
export const DELIVERY_TIMEOUT_MS = 3000;

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Adds x-zm-request-timestamp and, as asked, a valid, wrong-key or missing x-zm-signature. */
export function signedHeaders(
  w: Pick<PreparedWebhook, 'baseHeaders' | 'sign' | 'secret' | 'rawBody'>,
  timestamp: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...w.baseHeaders,
    'x-zm-request-timestamp': String(timestamp),
  };
  if (w.sign === 'valid' && w.secret !== undefined) {
    headers['x-zm-signature'] = zoomSignature(w.secret, timestamp, w.rawBody);
  } else if (w.sign === 'bad') {
    // Same format, wrong key: only a real HMAC check can tell it apart.
    const wrong = `not-${w.secret ?? 'the-secret'}`;
    headers['x-zm-signature'] = zoomSignature(wrong, timestamp, w.rawBody);
  }
  return headers;
}

/** The request Zoom would send for this body now; undefined without a webhook URL. */
export function prepareWebhook(
  state: SandboxState,
  rawBody: string,
  opts: DeliveryOptions,
): PreparedWebhook | undefined {
  const url = state.settings.webhookUrl;
  if (!url) return undefined;
  const id = newRequestId().replace(/-/g, '_');
  const base = {
    id,
    url,
    rawBody,
    sign: opts.sign,
    secret: state.settings.webhookSecretToken,
    baseHeaders: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Zoom Marketplace/1.0a',
      'x-zm-request-id': id,
      'x-zm-trackingid': `v=2.0&s=${randomHex(8)}&c=sandbox`,
      clientid: state.clientId,
    },
  };
  return { ...base, headers: signedHeaders(base, opts.timestamp ?? nowSeconds()) };
}

/** One POST. Never throws: a network error or the 3 s timeout is status 0. */
export async function postWebhook(
  ctx: SandboxContext,
  url: string,
  headers: Record<string, string>,
  rawBody: string,
): Promise<AttemptOutcome> {
  const { state, runtime } = ctx;
  state.stats.webhooks_sent += 1;
  const deadline = runtime.deadline(DELIVERY_TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: rawBody,
      redirect: 'manual',
      signal: deadline.signal,
    });
    const body = await res.text();
    if (res.status >= 200 && res.status < 300) state.stats.webhooks_delivered += 1;
    else state.stats.webhooks_failed += 1;
    return { status: res.status, body };
  } catch (err: unknown) {
    state.stats.webhooks_failed += 1;
    const timedOut = deadline.signal.aborted && !runtime.isClosed;
    return { status: 0, body: '', error: timedOut ? 'no answer within 3 s' : String(err) };
  } finally {
    deadline.done();
  }
}
