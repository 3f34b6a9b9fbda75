/** Every failure of Zoom's REST API, reduced to what the app does about it. */

export type ZoomErrorKind =
  /** 401 (code 124): the access token was refused; refresh once and retry once. */
  | 'unauthorized'
  /** 400/401 code 4700 or 4711: the grant lacks a scope; only a reinstall helps (no refresh). */
  | 'missing_scope'
  /** 404 code 1001: the user (or the assistant named in the path) does not exist. */
  | 'not_found'
  /** 429: retryAfterSeconds says when (the token endpoint's 429 is this kind too). */
  | 'rate_limited'
  /** 5xx, a timeout or a network failure: nothing is known to have happened; try again. */
  | 'unavailable'
  /** Anything else: a 4xx the app did not expect. */
  | 'unexpected';

/** A failure at either of Zoom's endpoints; a rate limit reads the same from both. */
export abstract class ZoomError extends Error {
  abstract readonly kind: string;
  /** Seconds Zoom asked to wait (Retry-After); always set on a rate limit. */
  readonly retryAfterSeconds: number | null;

  protected constructor(
    message: string,
    kind: string,
    retryAfterSeconds: number | null | undefined,
    cause: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    const wait = retryAfterSeconds ?? null;
    this.retryAfterSeconds = kind === 'rate_limited' ? (wait ?? DEFAULT_RETRY_AFTER_SECONDS) : wait;
  }
}

/** A 429 from the REST API or the token endpoint. */
export type RateLimited = ZoomError & {
  readonly kind: 'rate_limited';
  readonly retryAfterSeconds: number;
};

export function isRateLimited(err: unknown): err is RateLimited {
  return err instanceof ZoomError && err.kind === 'rate_limited';
}

export interface ZoomApiErrorFields {
  readonly kind: ZoomErrorKind;
  readonly status?: number | null;
  /** Zoom's numeric error code from the body. */
  readonly code?: number | null;
  readonly zoomMessage?: string | null;
  readonly retryAfterSeconds?: number | null;
  /** A 429 of the account's daily limit: it resets at 00:00 UTC. */
  readonly daily?: boolean;
  readonly cause?: unknown;
}

export class ZoomApiError extends ZoomError {
  readonly kind: ZoomErrorKind;
  readonly status: number | null;
  readonly code: number | null;
  readonly zoomMessage: string | null;
  readonly daily: boolean;

  constructor(fields: ZoomApiErrorFields) {
    const { kind, status = null, code = null, zoomMessage = null } = fields;
    super(
      `Zoom API ${kind}` +
        (status === null ? '' : ` [${status}${code === null ? '' : `/${code}`}]`) +
        (zoomMessage ? `: ${zoomMessage}` : ''),
      kind,
      fields.retryAfterSeconds,
      fields.cause,
    );
    this.name = 'ZoomApiError';
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.zoomMessage = zoomMessage;
    this.daily = fields.daily ?? false;
  }
}

/** Seconds from `now` to the next 00:00 UTC, when Zoom's daily limits reset. */
export function secondsToUtcMidnight(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - now) / 1000));
}

/** A rate limit that names no wait. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
/** A daily limit can name tomorrow; a wait longer than this is reported as this. */
const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;

/**
 * `Retry-After` is seconds or an HTTP/ISO date (Zoom's daily limit sends an ISO date-time).
 * Returns whole seconds from `now`, at least 1; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) {
    return clampSeconds(Number(text));
  }
  // Only the two date forms Zoom and HTTP use: Date.parse alone reads "later 2099" as a date.
  if (!ISO_DATE.test(text) && !HTTP_DATE.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return clampSeconds(Math.ceil((at - now) / 1000));
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function clampSeconds(s: number): number {
  return Math.min(Math.max(1, s), MAX_RETRY_AFTER_SECONDS);
}

interface ZoomErrorBody {
  code: number | null;
  message: string | null;
}

/** Zoom's error body is `{"code": n, "message": "..."}`; anything else yields nulls. */
export function readErrorBody(text: string): ZoomErrorBody {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      return {
        code: typeof o.code === 'number' ? o.code : null,
        message: typeof o.message === 'string' ? o.message.slice(0, 300) : null,
      };
    }
  } catch {
    // not JSON: fall through
  }
  return { code: null, message: null };
}

/** Maps a non-2xx answer to a ZoomApiError. */
export function classifyZoomFailure(
  status: number,
  bodyText: string,
  retryAfterHeader: string | null,
  now: number,
  rateLimitType: string | null = null,
): ZoomApiError {
  const { code, message } = readErrorBody(bodyText);
  const answer = { status, code, zoomMessage: message };
  // Before the 401 check: a refresh cannot add a scope, so none is spent on it.
  if (code === 4700 || code === 4711) return new ZoomApiError({ kind: 'missing_scope', ...answer });
  if (status === 401) return new ZoomApiError({ kind: 'unauthorized', ...answer });
  if (status === 404) return new ZoomApiError({ kind: 'not_found', ...answer });
  if (status === 429) {
    // A daily-limit 429 may carry no Retry-After at all (forum /t/18928); it resets at 00:00 UTC.
    const daily = retryAfterHeader === null || rateLimitType === 'Daily-limit';
    const wait = parseRetryAfter(retryAfterHeader, now);
    const retryAfterSeconds = wait ?? (daily ? secondsToUtcMidnight(now) : null);
    return new ZoomApiError({ kind: 'rate_limited', ...answer, retryAfterSeconds, daily });
  }
  if (status >= 500) return new ZoomApiError({ kind: 'unavailable', ...answer });
  return new ZoomApiError({ kind: 'unexpected', ...answer });
}

export function isZoomApiError(err: unknown, kind?: ZoomErrorKind): err is ZoomApiError {
  return err instanceof ZoomApiError && (kind === undefined || err.kind === kind);
}
