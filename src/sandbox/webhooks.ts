import { createHmac } from 'node:crypto';
import type { SandboxContext } from './context';
import { newRequestId, randomBase64Url, randomHex } from './ids';
import type { SandboxUser } from './state';

export type SignMode = 'valid' | 'bad' | 'none';

export interface DeliveryResult {
  /** True when the receiver answered 2xx. */
  delivered: boolean;
  /** The receiver's HTTP status; 0 when nothing was received (no URL, network error, timeout). */
  status: number;
  body: string;
  error?: string;
}

const DELIVERY_TIMEOUT_MS = 5000;

/** x-zm-signature: v0=hex(HMAC_SHA256(secret, "v0:" + timestamp + ":" + rawBody)) (zoom-api.md §6a). */
export function zoomSignature(secret: string, timestamp: number, rawBody: string): string {
  const hmac = createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return `v0=${hmac}`;
}

/** The CRC answer Zoom expects for endpoint.url_validation (zoom-api.md §6b). */
export function encryptPlainToken(secret: string, plainToken: string): string {
  return createHmac('sha256', secret).update(plainToken).digest('hex');
}

/** The real 2025 app_deauthorized delivery shape (zoom-api.md §6e). */
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

/** POSTs one event notification exactly as Zoom would. Never throws: failures are counted. */
export async function deliverWebhook(
  ctx: SandboxContext,
  rawBody: string,
  opts: DeliveryOptions,
): Promise<DeliveryResult> {
  const { state, runtime } = ctx;
  const url = state.settings.webhookUrl;
  if (!url) return { delivered: false, status: 0, body: '', error: 'no webhookUrl configured' };
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const secret = state.settings.webhookSecretToken;
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Zoom Marketplace/1.0a',
    'x-zm-request-timestamp': String(timestamp),
    'x-zm-request-id': newRequestId().replace(/-/g, '_'),
    'x-zm-trackingid': `v=2.0&s=${randomHex(8)}&c=sandbox`,
    clientid: state.clientId,
  };
  if (opts.sign === 'valid' && secret !== undefined) {
    headers['x-zm-signature'] = zoomSignature(secret, timestamp, rawBody);
  } else if (opts.sign === 'bad') {
    // Same format, wrong key: only a real HMAC check can tell it apart.
    headers['x-zm-signature'] = zoomSignature(`not-${secret ?? 'the-secret'}`, timestamp, rawBody);
  }
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
    const delivered = res.status >= 200 && res.status < 300;
    if (delivered) state.stats.webhooks_delivered += 1;
    else state.stats.webhooks_failed += 1;
    return { delivered, status: res.status, body };
  } catch (err: unknown) {
    state.stats.webhooks_failed += 1;
    return { delivered: false, status: 0, body: '', error: String(err) };
  } finally {
    deadline.done();
  }
}
