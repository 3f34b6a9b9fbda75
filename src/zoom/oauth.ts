import http from 'node:http';
import https from 'node:https';
import {
  AuthorizationCode,
  type AuthorizationTokenConfig,
  type ModuleOptions,
} from 'simple-oauth2';
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

/**
 * simple-oauth2 copies its `http` options deeply (@hapi/hoek's clone): a copied agent would
 * hand its sockets back to the original's pool and never reuse one. Hoek passes an object whose
 * prototype says `isImmutable` as it is, so these agents are shared, not copied.
 */
class SharedHttpAgent extends http.Agent {
  get isImmutable(): boolean {
    return true;
  }
}
class SharedHttpsAgent extends https.Agent {
  get isImmutable(): boolean {
    return true;
  }
}

/** Shared by every client of the process; wreck needs all three. */
const TOKEN_ENDPOINT_AGENTS = {
  http: new SharedHttpAgent({ keepAlive: true, maxSockets: 64 }),
  https: new SharedHttpsAgent({ keepAlive: true, maxSockets: 64 }),
  httpsAllowUnauthorized: new SharedHttpsAgent({
    keepAlive: true,
    maxSockets: 64,
    rejectUnauthorized: false,
  }),
};

export class ZoomOAuthClient implements TokenRefresher {
  private readonly client: AuthorizationCode;

  constructor(
    private readonly settings: ZoomOAuthSettings,
    private readonly now: () => number = Date.now,
  ) {
    // Kept-alive connections: one TCP and TLS handshake per process, not one per refresh
    // (wreck's default agents close each connection after its request). @types/simple-oauth2
    // does not list wreck's `agents`; simple-oauth2 passes its `http` options to wreck whole.
    const httpOptions: ModuleOptions['http'] & { agents: typeof TOKEN_ENDPOINT_AGENTS } = {
      timeout: settings.timeoutMs,
      agents: TOKEN_ENDPOINT_AGENTS,
    };
    this.client = new AuthorizationCode({
      client: { id: settings.clientId, secret: settings.clientSecret },
      auth: {
        tokenHost: settings.oauthUrl,
        tokenPath: '/oauth/token',
        authorizePath: '/oauth/authorize',
        revokePath: '/oauth/revoke',
      },
      options: { authorizationMethod: 'header', bodyFormat: 'form' },
      http: httpOptions,
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
