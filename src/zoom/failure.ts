import { isRateLimited, isZoomApiError } from './errors';
import { OAuthError } from './oauth-errors';

/** Why a call to Zoom did not do what was asked, as the app acts on it (words are the edge's). */
export type ZoomFailure =
  | { readonly reason: 'zoom_down' }
  | { readonly reason: 'unreadable' }
  | { readonly reason: 'refresh_refused'; readonly retryAfterSeconds: number }
  | { readonly reason: 'misconfigured' }
  | { readonly reason: 'missing_scope' }
  | { readonly reason: 'not_found' }
  | {
      readonly reason: 'rate_limited';
      readonly retryAfterSeconds: number;
      /** The account's daily limit: nothing more until 00:00 UTC. */
      readonly daily: boolean;
    }
  | { readonly reason: 'access_refused' }
  /** Zoom adds assistants only on a paid account (400 code 200). */
  | { readonly reason: 'paid_account_required' }
  | { readonly reason: 'unexpected'; readonly status: number | null };

/** Zoom's failure, or null for anything that is not Zoom's (storage, a bug) or a dead grant. */
export function classifyFailure(err: unknown): ZoomFailure | null {
  if (isRateLimited(err)) {
    const daily = isZoomApiError(err) && err.daily;
    return { reason: 'rate_limited', retryAfterSeconds: err.retryAfterSeconds, daily };
  }
  if (err instanceof OAuthError) {
    switch (err.kind) {
      case 'rate_limited': // answered above
      case 'unavailable':
        return { reason: 'zoom_down' };
      case 'bad_response':
        return { reason: 'unreadable' };
      case 'refused':
        return { reason: 'refresh_refused', retryAfterSeconds: err.retryAfterSeconds ?? 60 };
      case 'invalid_client':
        return { reason: 'misconfigured' };
      case 'grant_dead':
        return null; // the token manager turns this into ReconnectRequiredError
    }
  }
  if (!isZoomApiError(err)) return null;
  switch (err.kind) {
    case 'missing_scope':
      return { reason: 'missing_scope' };
    case 'not_found':
      return { reason: 'not_found' };
    case 'rate_limited': // answered above
    case 'unavailable':
      return { reason: 'zoom_down' };
    case 'unauthorized':
      return { reason: 'access_refused' };
    case 'unexpected':
      if (err.code === 200 && /paid account/i.test(err.zoomMessage ?? '')) {
        return { reason: 'paid_account_required' };
      }
      return { reason: 'unexpected', status: err.status };
  }
}
