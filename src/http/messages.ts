import { isZoomApiError } from '../zoom/errors';
import { OAuthError } from '../zoom/oauth';

/**
 * What a person reads when a call to Zoom fails, and the status the page answers with.
 * Pure: every answer Zoom can give maps to a sentence here (unit-tested).
 */
export interface FailureMessage {
  readonly status: number;
  readonly text: string;
  readonly retryAfterSeconds?: number;
}

export type ZoomAction = 'list' | 'clear' | 'remove';

export function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`;
}

export function describeZoomFailure(err: unknown, action: ZoomAction): FailureMessage | null {
  if (err instanceof OAuthError) {
    if (err.kind === 'unavailable' || err.kind === 'bad_response') {
      return { status: 502, text: 'Zoom did not answer; try again.' };
    }
    return {
      status: 502,
      text: 'Zoom refused the app’s credentials. Try again later; if it persists, tell the app’s operator.',
    };
  }
  if (!isZoomApiError(err)) return null;
  switch (err.kind) {
    case 'missing_scope':
      return {
        status: 403,
        text: 'The app lacks a permission it needs in Zoom — reinstall it to grant the permission.',
      };
    case 'not_found':
      return action === 'remove'
        ? { status: 404, text: 'Zoom no longer lists that assistant; the list below is current.' }
        : { status: 404, text: 'Your Zoom user no longer exists.' };
    case 'rate_limited': {
      const wait = err.retryAfterSeconds ?? 1;
      return {
        status: 429,
        text: `Zoom is limiting requests; try again in ${seconds(wait)}.`,
        retryAfterSeconds: wait,
      };
    }
    case 'unavailable':
      return { status: 502, text: 'Zoom did not answer; try again.' };
    case 'unauthorized':
      return {
        status: 401,
        text: 'Zoom did not accept the app’s access. Sign out and add the app to Zoom again.',
      };
    case 'unexpected':
      return {
        status: 502,
        text: `Zoom answered with an unexpected error${err.status ? ` (${err.status})` : ''}; try again.`,
      };
  }
}

export function removedMessage(count: number | null): string {
  if (count === null) return 'Removed all your assistants.';
  if (count === 0) return 'You had no assistants to remove.';
  return count === 1 ? 'Removed 1 assistant.' : `Removed ${count} assistants.`;
}
