import { isZoomApiError } from '../zoom/errors';
import { OAuthError } from '../zoom/oauth-errors';
import { FAILURE, FLASH } from './copy';

/**
 * What a person reads when a call to Zoom fails, and the status the page answers with.
 * Pure: every answer Zoom can give maps to a sentence of the catalog here (unit-tested).
 */
export interface FailureMessage {
  readonly status: number;
  readonly text: string;
  readonly retryAfterSeconds?: number;
  /** Only a new authorization helps (a missing scope): the page offers one. */
  readonly reconnect?: boolean;
}

export type ZoomAction = 'list' | 'clear' | 'remove' | 'undo' | 'step_down';

export function describeZoomFailure(err: unknown, action: ZoomAction): FailureMessage | null {
  if (err instanceof OAuthError) {
    switch (err.kind) {
      case 'unavailable':
        if (err.status === 429) return rateLimited(err.retryAfterSeconds);
        return { status: 502, text: FAILURE.zoomDown };
      case 'bad_response':
        return { status: 502, text: FAILURE.zoomUnreadable };
      case 'refused': {
        const wait = err.retryAfterSeconds ?? 60;
        return { status: 502, text: FAILURE.refreshRefused(wait), retryAfterSeconds: wait };
      }
      case 'invalid_client':
        return { status: 503, text: FAILURE.misconfigured };
      case 'grant_dead':
        return null; // the token manager turns this into ReconnectRequiredError
    }
  }
  if (!isZoomApiError(err)) return null;
  switch (err.kind) {
    case 'missing_scope':
      return {
        status: 403,
        text: action === 'step_down' ? FLASH.stepDownNeedsScope : FAILURE.missingScope,
        reconnect: true,
      };
    case 'not_found':
      if (action === 'remove') return { status: 404, text: FAILURE.assistantGone };
      if (action === 'step_down') return { status: 404, text: FLASH.schedulerGone };
      return { status: 404, text: FAILURE.userGone };
    case 'rate_limited':
      return rateLimited(err.retryAfterSeconds);
    case 'unavailable':
      return { status: 502, text: FAILURE.zoomDown };
    case 'unauthorized':
      return { status: 401, text: FAILURE.accessRefused };
    case 'unexpected':
      return { status: 502, text: FAILURE.unexpected(err.status) };
  }
}

function rateLimited(retryAfterSeconds: number | null): FailureMessage {
  const wait = retryAfterSeconds ?? 1;
  return { status: 429, text: FAILURE.rateLimited(wait), retryAfterSeconds: wait };
}
