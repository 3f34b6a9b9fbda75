import { AuthorizationCode, type AuthorizationTokenConfig } from 'simple-oauth2';
import { toOAuthError } from './oauth-errors';
import { parseTokenResponse, type TokenSet } from './token-response';

/**
 * Zoom's OAuth endpoints, Basic auth and form bodies as Zoom's SDK sends them. Errors leave as
 * OAuthError only: simple-oauth2's own carry the request, Basic credentials included.
 */

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
      throw toOAuthError(err, this.now());
    }
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    try {
      const token = await this.client.createToken({ refresh_token: refreshToken }).refresh();
      return parseTokenResponse(token.token, this.now());
    } catch (err) {
      throw toOAuthError(err, this.now());
    }
  }

  /** Revokes the grant at Zoom (Zoom ends the whole grant, whichever token is named). */
  async revoke(accessToken: string): Promise<void> {
    try {
      await this.client.createToken({ access_token: accessToken }).revoke('access_token');
    } catch (err) {
      throw toOAuthError(err, this.now());
    }
  }
}
