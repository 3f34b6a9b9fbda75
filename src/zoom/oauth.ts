import { AuthorizationCode, type AuthorizationTokenConfig } from 'simple-oauth2';
import { parseTokenResponse, TokenResponseError, type TokenSet } from './token-response';

/**
 * Zoom's OAuth endpoints, one named function per protocol step: the authorize URL, the code
 * exchange, the refresh and the revoke. Client authentication is HTTP Basic and parameters go
 * in a form body, as Zoom's own SDK sends them.
 *
 * Errors leave this module as OAuthError only: simple-oauth2's own errors carry the request,
 * Basic credentials included, and must never reach a log.
 */

export type OAuthErrorKind =
  /** The code or refresh token is dead (used, expired, rotated or revoked). */
  | 'invalid_grant'
  /** Zoom refused the app itself (client id/secret, redirect URL): an operator's problem. */
  | 'rejected'
  /** The answer was a 200 without the fields a token response must have. */
  | 'bad_response'
  /** 5xx, 429, a timeout or a network failure: nothing is known to have changed. */
  | 'unavailable';

export class OAuthError extends Error {
  constructor(
    readonly kind: OAuthErrorKind,
    readonly status: number | null,
    readonly oauthError: string | null,
  ) {
    super(
      `Zoom OAuth ${kind}${status === null ? '' : ` [${status}]`}${oauthError ? ` ${oauthError}` : ''}`,
    );
    this.name = 'OAuthError';
  }
}

export interface ZoomOAuthSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUrl: string;
  /** Base of /oauth/authorize, /oauth/token and /oauth/revoke. */
  readonly oauthUrl: string;
  readonly timeoutMs: number;
}

export interface AuthorizationRequest {
  readonly state: string;
  readonly codeChallenge: string;
}

/** What the token manager needs from Zoom: a refresh. */
export interface TokenRefresher {
  refresh(refreshToken: string): Promise<TokenSet>;
}

interface BoomLike {
  isBoom: true;
  output?: { statusCode?: number };
  data?: { isResponseError?: boolean; payload?: unknown } | null;
}

function isBoomLike(err: unknown): err is BoomLike {
  return typeof err === 'object' && err !== null && (err as { isBoom?: unknown }).isBoom === true;
}

const OAUTH_ERROR_CODE = /^[a-z_]{1,64}$/;

/** Reduces any failure of a token-endpoint call to an OAuthError, dropping everything else. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof TokenResponseError) return new OAuthError('bad_response', 200, null);
  if (!isBoomLike(err)) return new OAuthError('unavailable', null, null);
  const status = err.output?.statusCode ?? null;
  if (!err.data?.isResponseError) return new OAuthError('unavailable', null, null); // timeout, network
  const payload = err.data.payload;
  let oauthError: string | null = null;
  if (Buffer.isBuffer(payload) || typeof payload === 'string') {
    const m = /"error"\s*:\s*"([^"]{1,64})"/.exec(payload.toString());
    oauthError = m?.[1] ?? null;
  } else if (typeof payload === 'object' && payload !== null) {
    const e = (payload as Record<string, unknown>).error;
    if (typeof e === 'string') oauthError = e;
  }
  // Only a short OAuth error code is kept: anything else in the answer may be sensitive.
  if (oauthError !== null && !OAUTH_ERROR_CODE.test(oauthError)) oauthError = null;
  if (status !== null && (status >= 500 || status === 429)) {
    return new OAuthError('unavailable', status, oauthError);
  }
  if (oauthError === 'invalid_grant') return new OAuthError('invalid_grant', status, oauthError);
  return new OAuthError('rejected', status, oauthError);
}

export class ZoomOAuthClient implements TokenRefresher {
  private readonly client: AuthorizationCode;

  constructor(
    private readonly settings: ZoomOAuthSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.client = new AuthorizationCode({
      client: { id: settings.clientId, secret: settings.clientSecret },
      auth: {
        tokenHost: settings.oauthUrl,
        tokenPath: '/oauth/token',
        authorizePath: '/oauth/authorize',
        revokePath: '/oauth/revoke',
      },
      options: { authorizationMethod: 'header', bodyFormat: 'form' },
      http: { timeout: settings.timeoutMs },
    });
  }

  authorizationUrl(request: AuthorizationRequest): string {
    // @types/simple-oauth2 has no index signature for PKCE parameters; they pass through.
    const params: Parameters<AuthorizationCode['authorizeURL']>[0] & Record<string, string> = {
      response_type: 'code',
      redirect_uri: this.settings.redirectUrl,
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    };
    return this.client.authorizeURL(params);
  }

  async exchangeCode(code: string, codeVerifier: string): Promise<TokenSet> {
    const params: AuthorizationTokenConfig & { code_verifier: string } = {
      code,
      redirect_uri: this.settings.redirectUrl,
      code_verifier: codeVerifier,
    };
    try {
      const token = await this.client.getToken(params);
      return parseTokenResponse(token.token, this.now());
    } catch (err) {
      throw toOAuthError(err);
    }
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    try {
      const token = await this.client.createToken({ refresh_token: refreshToken }).refresh();
      return parseTokenResponse(token.token, this.now());
    } catch (err) {
      throw toOAuthError(err);
    }
  }

  /** Revokes the grant at Zoom (Zoom ends the whole grant, whichever token is named). */
  async revoke(accessToken: string): Promise<void> {
    try {
      await this.client.createToken({ access_token: accessToken }).revoke('access_token');
    } catch (err) {
      throw toOAuthError(err);
    }
  }
}
