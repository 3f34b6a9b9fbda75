import type { ActionName } from '../zoom/actions/action';
import { classifyFailure, type ZoomFailure } from '../zoom/failure';
import { wordsOf, FAILURE } from './copy';

/** What a person reads when a call to Zoom fails, and the status the page answers with. */
export interface FailureMessage {
  readonly status: number;
  readonly text: string;
  readonly retryAfterSeconds?: number;
  /** Only a new authorization helps (a missing scope): the page offers one. */
  readonly reconnect?: boolean;
}

/** What the failed call was for: reading the dashboard's lists, or an action. */
export type FailureContext = 'list' | ActionName;

export function failureMessage(failure: ZoomFailure, context: FailureContext): FailureMessage {
  switch (failure.reason) {
    case 'zoom_down':
      return { status: 502, text: FAILURE.zoomDown };
    case 'unreadable':
      return { status: 502, text: FAILURE.zoomUnreadable };
    case 'refresh_refused': {
      const wait = failure.retryAfterSeconds;
      return { status: 502, text: FAILURE.refreshRefused(wait), retryAfterSeconds: wait };
    }
    case 'misconfigured':
      return { status: 503, text: FAILURE.misconfigured };
    case 'missing_scope': {
      const words = context === 'list' ? undefined : wordsOf(context).needsPermission;
      return { status: 403, text: words ?? FAILURE.missingScope, reconnect: true };
    }
    case 'not_found': {
      const words = context === 'list' ? undefined : wordsOf(context).targetGone;
      return { status: 404, text: words ?? FAILURE.userGone };
    }
    case 'rate_limited': {
      const wait = failure.retryAfterSeconds;
      const text = failure.daily ? FAILURE.dailyLimit(wait) : FAILURE.rateLimited(wait);
      return { status: 429, text, retryAfterSeconds: wait };
    }
    case 'access_refused':
      return { status: 401, text: FAILURE.accessRefused };
    case 'paid_account_required':
      return { status: 502, text: FAILURE.paidAccountRequired };
    case 'unexpected':
      return { status: 502, text: FAILURE.unexpected(failure.status) };
  }
}

/** Zoom's failure in words; null when the error is not Zoom's (storage, a bug, a dead grant). */
export function describeZoomFailure(err: unknown, context: FailureContext): FailureMessage | null {
  const failure = classifyFailure(err);
  return failure && failureMessage(failure, context);
}
