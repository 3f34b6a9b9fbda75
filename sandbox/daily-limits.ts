import type { Response } from 'express';
import { sendJson, zoomDate } from './http-util';
import type { SandboxState } from './state';

/**
 * The account's daily request counters, one per rate-limit label. Zoom applies rate limits per
 * account, shared by every app on it; on a Free account Light allows 6,000 and Medium 2,000
 * requests a day, and Pro and Business+ have no daily limit for either (S-RL,
 * https://developers.zoom.us/docs/api/rate-limits/). Days are UTC days of the sandbox clock.
 */

export type RateLabel = 'Light' | 'Medium';
export const RATE_LABELS: readonly RateLabel[] = ['Light', 'Medium'];

/** null = no daily limit for that label (a paid plan). */
export type DailyLimits = Record<RateLabel, number | null>;

export interface DailyUsage {
  /** The UTC day counted, `YYYY-MM-DD`. */
  day: string;
  used: Record<RateLabel, number>;
}

/** S-RL's text for a daily limit. */
export const DAILY_LIMIT_MESSAGE =
  'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.';

const DAY_MS = 86_400_000;

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Daily limits reset at 00:00 UTC (S-RL). */
export function nextUtcMidnight(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 1) * DAY_MS;
}

export function zeroUsage(now: number): DailyUsage {
  return { day: utcDay(now), used: { Light: 0, Medium: 0 } };
}

/** Today's counters; a new UTC day on the sandbox clock starts them at zero. */
export function usageToday(state: SandboxState): DailyUsage {
  const today = utcDay(state.now());
  if (state.dailyUsage.day !== today) state.dailyUsage = zeroUsage(state.now());
  return state.dailyUsage;
}

/** What `GET /_sandbox/daily-usage` shows. */
export function usageSnapshot(state: SandboxState): Record<string, unknown> {
  const usage = usageToday(state);
  return {
    day: usage.day,
    resets_at: zoomDate(nextUtcMidnight(state.now())),
    limits: { ...state.settings.dailyLimits },
    used: { ...usage.used },
  };
}

/**
 * Counts one REST call against its label's daily limit, or answers the daily-limit 429 when the
 * day's quota is spent. Returns true when the request has been answered.
 *
 * The 429 is the one seen in the wild (devforum /t/18928): `X-RateLimit-Category`,
 * `-Limit` and `-Remaining`, but no `X-RateLimit-Type` and no `Retry-After`, so only the body's
 * text and the UTC-midnight rule tell it is a daily limit. While a label has a limit, every
 * answer carries the counters, as Zoom's do (devforum /t/59670, /t/14899).
 */
export function refuseOverDailyLimit(
  state: SandboxState,
  label: RateLabel,
  res: Response,
): boolean {
  const limit = state.settings.dailyLimits[label];
  const usage = usageToday(state);
  if (limit === null) {
    usage.used[label] += 1;
    return false;
  }
  res.setHeader('X-RateLimit-Category', label);
  res.setHeader('X-RateLimit-Limit', String(limit));
  if (usage.used[label] >= limit) {
    state.stats.api_daily_limited += 1;
    res.setHeader('X-RateLimit-Remaining', '0');
    sendJson(res, 429, { code: 429, message: DAILY_LIMIT_MESSAGE });
    return true;
  }
  usage.used[label] += 1;
  res.setHeader('X-RateLimit-Remaining', String(limit - usage.used[label]));
  return false;
}
