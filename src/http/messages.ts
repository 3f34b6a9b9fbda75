import { isZoomApiError } from '../zoom/errors';
import { OAuthError } from '../zoom/oauth-errors';

/**
 * What a person reads when a call to Zoom fails, and the status the page answers with.
 * Pure: every answer Zoom can give maps to a sentence here (unit-tested).
 */
export interface FailureMessage {
  readonly status: number;
  readonly text: string;
  readonly retryAfterSeconds?: number;
  /** Only a new authorization helps (a missing scope): the page offers one. */
  readonly reconnect?: boolean;
}

export type ZoomAction = 'list' | 'clear' | 'remove';

export function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`;
}

export function describeZoomFailure(err: unknown, action: ZoomAction): FailureMessage | null {
  if (err instanceof OAuthError) {
    switch (err.kind) {
      case 'unavailable':
        if (err.status === 429) return rateLimited(err.retryAfterSeconds);
        return { status: 502, text: 'Zoom did not answer; try again.' };
      case 'bad_response':
        return { status: 502, text: 'Zoom gave an answer the app could not read; try again.' };
      case 'refused': {
        const wait = err.retryAfterSeconds ?? 60;
        return {
          status: 502,
          text: `Zoom refused to renew the app’s access just now, without saying it has ended. Nothing changed; try again in ${seconds(wait)}.`,
          retryAfterSeconds: wait,
        };
      }
      case 'invalid_client':
        return { status: 503, text: MISCONFIGURED };
      case 'grant_dead':
        return null; // the token manager turns this into ReconnectRequiredError
    }
  }
  if (!isZoomApiError(err)) return null;
  switch (err.kind) {
    case 'missing_scope':
      return {
        status: 403,
        text: 'The app lacks a permission it needs in Zoom — reinstall it to grant the permission.',
        reconnect: true,
      };
    case 'not_found':
      return action === 'remove'
        ? { status: 404, text: 'Zoom no longer lists that assistant; the list below is current.' }
        : { status: 404, text: 'Your Zoom user no longer exists.' };
    case 'rate_limited':
      return rateLimited(err.retryAfterSeconds);
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

function rateLimited(retryAfterSeconds: number | null): FailureMessage {
  const wait = retryAfterSeconds ?? 1;
  return {
    status: 429,
    text: `Zoom is limiting requests; try again in ${seconds(wait)}.`,
    retryAfterSeconds: wait,
  };
}

/** Zoom refused the app's own credentials: nothing a user can do. */
export const MISCONFIGURED =
  'This app is misconfigured: Zoom refused its credentials. Nothing changed. Its operator can see why in the app’s log; try again later.';

export function removedMessage(count: number | null): string {
  if (count === null) return 'Removed all your assistants.';
  if (count === 0) return 'You had no assistants to remove.';
  return count === 1 ? 'Removed 1 assistant.' : `Removed ${count} assistants.`;
}
