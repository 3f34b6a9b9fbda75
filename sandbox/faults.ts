import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import type { SandboxContext } from './context';
import { DAILY_LIMIT_MESSAGE, nextUtcMidnight } from './daily-limits';
import { sendJson, zoomDate } from './http-util';
import { REFUSALS, type RefusalName } from './refusals';
import type { SandboxState } from './state';

export type FaultSite = 'api' | 'token' | 'revoke';
export type FaultTarget = FaultSite | 'all';
export type RateLimitType = 'QPS' | 'Daily-limit';

export interface Fault {
  target: FaultTarget;
  status?: number;
  remaining: number;
  delayMs: number;
  retryAfter?: string;
  rateLimitType: RateLimitType;
  body?: Record<string, unknown>;
  /** A named token-endpoint refusal (refusals.ts); sets the status and body. */
  refusal?: RefusalName;
  /** Only requests to this path (e.g. /v2/users/me/schedulers, no query) and, if set, method. */
  path?: string;
  method?: string;
}

/** What a fault is matched against. */
export interface FaultRequest {
  readonly path: string;
  readonly method: string;
}

/** Zoom's 429 texts (https://developers.zoom.us/docs/api/rate-limits/). */
const QPS_MESSAGE =
  'You have reached the maximum per-second rate limit for this API. Try again later.';

/** Faults are queued: each matching request takes one use of the first fault for its site. */
function takeFault(state: SandboxState, site: FaultSite, req: FaultRequest): Fault | undefined {
  const index = state.faults.findIndex(
    (f) =>
      f.remaining > 0 &&
      (f.target === site || f.target === 'all') &&
      (f.path === undefined || f.path === req.path) &&
      (f.method === undefined || f.method.toUpperCase() === req.method),
  );
  const fault = state.faults[index];
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) state.faults.splice(index, 1);
  return fault;
}

/**
 * A 429 as Zoom's older rate-limit page documents it, with `X-RateLimit-Type` and `Retry-After`
 * (for a daily limit, the next UTC midnight of the sandbox clock). The bare daily 429 seen in the
 * wild comes from the daily counters instead (daily-limits.ts).
 */
function sendFault(
  res: Response,
  fault: Fault,
  status: number,
  category: string,
  now: number,
): void {
  if (status === 429) {
    const daily = fault.rateLimitType === 'Daily-limit';
    res.setHeader('X-RateLimit-Category', category);
    res.setHeader('X-RateLimit-Type', fault.rateLimitType);
    res.setHeader(
      'Retry-After',
      fault.retryAfter ?? (daily ? zoomDate(nextUtcMidnight(now)) : '1'),
    );
    const message = daily ? DAILY_LIMIT_MESSAGE : QPS_MESSAGE;
    sendJson(res, 429, fault.body ?? { code: 429, message });
    return;
  }
  const text = STATUS_CODES[status] ?? 'Error';
  if (fault.body) {
    sendJson(res, status, fault.body);
  } else if (status >= 500) {
    // A gateway-style plain body: the app must not assume every error is Zoom JSON.
    res.status(status);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(text);
  } else {
    sendJson(res, status, { code: status, message: text });
  }
}

/**
 * Applies the next queued fault for `site`, if any: waits `delayMs`, then answers with the
 * fault's status. Returns true when the request has been answered (or the sandbox closed).
 */
export async function applyFault(
  ctx: SandboxContext,
  site: FaultSite,
  category: string,
  req: Request,
  res: Response,
): Promise<boolean> {
  const fault = takeFault(ctx.state, site, {
    path: req.originalUrl.split('?')[0] ?? '',
    method: req.method,
  });
  if (!fault) return false;
  ctx.state.stats.faults_applied += 1;
  if (fault.delayMs > 0 && !(await ctx.runtime.sleep(fault.delayMs))) return true;
  if (fault.refusal !== undefined) {
    const shape = REFUSALS[fault.refusal];
    sendJson(res, shape.status, shape.body);
    return true;
  }
  if (fault.status === undefined) return false;
  if (site === 'api' && fault.status === 401) ctx.state.stats.api_401 += 1;
  sendFault(res, fault, fault.status, category, ctx.state.now());
  return true;
}
