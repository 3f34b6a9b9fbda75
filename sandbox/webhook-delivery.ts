import type { SandboxContext } from './context';
import {
  nowSeconds,
  postWebhook,
  prepareWebhook,
  signedHeaders,
  type AttemptOutcome,
  type DeliveryOptions,
  type PreparedWebhook,
} from './webhooks';

/** One row of `GET /_sandbox/webhooks/deliveries`. */
export interface DeliveryAttempt {
  /** One per event: the x-zm-request-id, the same on every attempt. */
  id: string;
  event: string | null;
  /** 1 = the first delivery, 2..4 = Zoom's three retries. */
  attempt: number;
  /** When the attempt started (real time, like the timestamp header). */
  at: string;
  /** The x-zm-request-timestamp value sent (or that would have been, if dropped). */
  timestamp: string;
  /** The receiver's status; 0 = no answer (network error, 3 s timeout, dropped). */
  status: number;
  delivered: boolean;
  dropped: boolean;
  error?: string;
}

/** What `webhooks/send` and `remove-app` answer: the FIRST attempt only. */
export interface DeliveryResult extends AttemptOutcome {
  /** Absent when nothing was sent (no webhook URL). */
  id?: string;
  delivered: boolean;
}

/**
 * Zoom: "The first attempt is sent 5 minutes after the initial delivery attempt. A second
 * attempt is sent 20 minutes after the first attempt. A third attempt is sent 60 minutes after
 * the second attempt." (https://developers.zoom.us/docs/api/webhooks/#notification-delivery).
 * [UNCONFIRMED] read as delays between consecutive attempts (not offsets from the first).
 */
export const RETRY_DELAYS_MINUTES: readonly number[] = [5, 20, 60];

/** Retried: ">= 500" or network-type failures (timeouts included). Never 2xx, 3xx or 4xx. */
export function isRetryable(status: number): boolean {
  return status === 0 || status >= 500;
}

function eventName(rawBody: string): string | null {
  try {
    const parsed: unknown = JSON.parse(rawBody);
    if (typeof parsed !== 'object' || parsed === null || !('event' in parsed)) return null;
    return typeof parsed.event === 'string' ? parsed.event : null;
  } catch {
    return null;
  }
}

interface PendingEvent {
  hook: PreparedWebhook;
  event: string | null;
  /** The reset generation the event belongs to. */
  epoch: number;
}

/**
 * [UNCONFIRMED] whether a retry carries a fresh x-zm-request-timestamp: 'original' re-sends the
 * first attempt's headers byte for byte; 'fresh' re-signs with the current time (same request id).
 */
function headersFor(
  ctx: SandboxContext,
  ev: PendingEvent,
  attempt: number,
): Record<string, string> {
  const fresh = attempt > 1 && ctx.state.settings.webhookRetry.timestamp === 'fresh';
  return fresh ? signedHeaders(ev.hook, nowSeconds()) : ev.hook.headers;
}

async function send(
  ctx: SandboxContext,
  ev: PendingEvent,
  headers: Record<string, string>,
): Promise<AttemptOutcome & { dropped: boolean }> {
  const { state } = ctx;
  if (state.settings.webhookDrop > 0) {
    // Lost on the way: never sent, so it counts as "no answer" and is retried on schedule.
    state.settings.webhookDrop -= 1;
    state.stats.webhooks_dropped += 1;
    return { status: 0, body: '', error: 'dropped (webhookDrop)', dropped: true };
  }
  return { ...(await postWebhook(ctx, ev.hook.url, headers, ev.hook.rawBody)), dropped: false };
}

function scheduleRetry(
  ctx: SandboxContext,
  ev: PendingEvent,
  attempt: number,
  status: number,
): void {
  const { state, runtime } = ctx;
  const delayMinutes = RETRY_DELAYS_MINUTES[attempt - 1];
  const scale = state.settings.webhookRetry.scale;
  const delivered = status >= 200 && status < 300;
  if (delivered) return;
  if (!isRetryable(status) || delayMinutes === undefined || scale === 0) {
    state.stats.webhooks_given_up += 1;
    return;
  }
  let cancel = (): void => undefined;
  cancel = runtime.after(delayMinutes * 60_000 * scale, () => {
    state.pendingRetries.delete(cancel);
    void runAttempt(ctx, ev, attempt + 1);
  });
  state.pendingRetries.add(cancel);
}

async function runAttempt(
  ctx: SandboxContext,
  ev: PendingEvent,
  attempt: number,
): Promise<AttemptOutcome & { dropped: boolean }> {
  const { state } = ctx;
  const headers = headersFor(ctx, ev, attempt);
  const at = new Date().toISOString();
  if (attempt > 1) state.stats.webhooks_retried += 1;
  const outcome = await send(ctx, ev, headers);
  // A reset (or close) while the attempt was in flight forgets the event.
  if (state.deliveryEpoch !== ev.epoch || ctx.runtime.isClosed) return outcome;
  state.logDelivery({
    id: ev.hook.id,
    event: ev.event,
    attempt,
    at,
    timestamp: headers['x-zm-request-timestamp'] ?? '',
    status: outcome.status,
    delivered: outcome.status >= 200 && outcome.status < 300,
    dropped: outcome.dropped,
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
  });
  scheduleRetry(ctx, ev, attempt, outcome.status);
  return outcome;
}

/**
 * Delivers one event as Zoom does: a first attempt now, then up to three retries on Zoom's
 * schedule (scaled by `webhookRetry.scale`) while the answer is a 5xx or none. Resolves with
 * the first attempt's outcome. Never throws.
 */
export async function deliverWebhook(
  ctx: SandboxContext,
  rawBody: string,
  opts: DeliveryOptions,
): Promise<DeliveryResult> {
  const hook = prepareWebhook(ctx.state, rawBody, opts);
  if (!hook) return { delivered: false, status: 0, body: '', error: 'no webhookUrl configured' };
  const ev: PendingEvent = { hook, event: eventName(rawBody), epoch: ctx.state.deliveryEpoch };
  const first = await runAttempt(ctx, ev, 1);
  return {
    id: hook.id,
    delivered: first.status >= 200 && first.status < 300,
    status: first.status,
    body: first.body,
    ...(first.error === undefined ? {} : { error: first.error }),
  };
}
