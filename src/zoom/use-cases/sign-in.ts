import type { Logger } from '../../log';
import type { ZoomApiClient, ZoomUser } from '../api';
import { isZoomApiError } from '../errors';
import type { ZoomOAuthClient } from '../oauth';
import { OAuthError } from '../oauth-errors';
import type { TokenManager } from '../token-manager';

export interface SignInDeps {
  readonly oauth: Pick<ZoomOAuthClient, 'exchangeCode'>;
  readonly zoomApi: Pick<ZoomApiClient, 'getMe'>;
  readonly tokenManager: Pick<TokenManager, 'beginGrant'>;
  readonly logger: Logger;
}

export type SignInOutcome =
  | { readonly kind: 'signed_in'; readonly user: ZoomUser; readonly grantId: string }
  /** Zoom refused the app's own credentials. */
  | { readonly kind: 'misconfigured' }
  | { readonly kind: 'code_refused' }
  | { readonly kind: 'zoom_unanswered' };

/** The code exchange: tokens, the user's profile, then a new grant stored for them. */
export async function signIn(
  deps: SignInDeps,
  code: string,
  codeVerifier: string,
): Promise<SignInOutcome> {
  const { logger } = deps;
  let user: ZoomUser;
  let grantId: string;
  try {
    const tokens = await deps.oauth.exchangeCode(code, codeVerifier);
    user = await deps.zoomApi.getMe(tokens.accessToken);
    // Who they are is kept in the sealed grant, never in the session.
    const profile = {
      name: user.displayName,
      email: user.email,
      timezone: user.timezone,
      ...(user.accountId && { accountId: user.accountId }),
    };
    ({ grantId } = await deps.tokenManager.beginGrant(user.id, tokens, profile));
  } catch (err) {
    if (err instanceof OAuthError && err.kind === 'invalid_client') {
      logger.error({ err: err.message }, 'Zoom refused the app’s client credentials at sign-in');
      return { kind: 'misconfigured' };
    }
    if (err instanceof OAuthError && (err.kind === 'grant_dead' || err.kind === 'refused')) {
      logger.warn({ err: err.message }, 'authorization code refused');
      return { kind: 'code_refused' };
    }
    if (err instanceof OAuthError || isZoomApiError(err)) {
      logger.warn({ err: err.message }, 'sign-in failed at Zoom');
      return { kind: 'zoom_unanswered' };
    }
    throw err;
  }
  return { kind: 'signed_in', user, grantId };
}
