/**
 * Every answer Zoom's REST API can give that is not a success, reduced to the few things the
 * app does differently. Pure: unit-tested without servers.
 */

export type ZoomErrorKind =
  /** 401 (code 124): the access token was refused; refresh once and retry once. */
  | 'unauthorized'
  /** 400/401 code 4700 or 4711: the grant lacks a scope; only a reinstall helps (no refresh). */
  | 'missing_scope'
  /** 404 code 1001: the user (or the assistant named in the path) does not exist. */
  | 'not_found'
  /** 429: Zoom's rate limit; retryAfterSeconds says when. */
  | 'rate_limited'
  /** 5xx, a timeout or a network failure: nothing is known to have happened; try again. */
  | 'unavailable'
  /** Anything else: a 4xx the app did not expect. */
  | 'unexpected';

export class ZoomApiError extends Error {
  constructor(
    readonly kind: ZoomErrorKind,
    readonly status: number | null,
    readonly code: number | null,
    readonly zoomMessage: string | null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(
      `Zoom API ${kind}` +
        (status === null ? '' : ` [${status}${code === null ? '' : `/${code}`}]`) +
        (zoomMessage ? `: ${zoomMessage}` : ''),
    );
    this.name = 'ZoomApiError';
  }
}

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
): ZoomApiError {
  const { code, message } = readErrorBody(bodyText);
  // Before the 401 check: a refresh cannot add a scope, so none is spent on it.
  if (code === 4700 || code === 4711) {
    return new ZoomApiError('missing_scope', status, code, message);
  }
  if (status === 401) return new ZoomApiError('unauthorized', status, code, message);
  if (status === 404) return new ZoomApiError('not_found', status, code, message);
  if (status === 429) {
    const wait = parseRetryAfter(retryAfterHeader, now) ?? DEFAULT_RETRY_AFTER_SECONDS;
    return new ZoomApiError('rate_limited', status, code, message, wait);
  }
  if (status >= 500) return new ZoomApiError('unavailable', status, code, message);
  return new ZoomApiError('unexpected', status, code, message);
}

export function isZoomApiError(err: unknown, kind?: ZoomErrorKind): err is ZoomApiError {
  return err instanceof ZoomApiError && (kind === undefined || err.kind === kind);
}
