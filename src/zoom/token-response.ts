/**
 * The token endpoint's success body, checked before anything is stored:
 * access_token, refresh_token and scope are strings, expires_in a positive number
 * (Zoom's own SDK rejects anything else). Scopes are space-separated.
 */

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessExpiresAt: number;
  readonly scopes: readonly string[];
  readonly apiUrl: string | null;
}

export class TokenResponseError extends Error {
  constructor(field: string) {
    super(`Zoom's token response is missing or has a malformed ${field}`);
    this.name = 'TokenResponseError';
  }
}

const MAX_TOKEN_LENGTH = 8192;

function token(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TOKEN_LENGTH || /\s/.test(v)) {
    throw new TokenResponseError(field);
  }
  return v;
}

export function parseTokenResponse(body: unknown, receivedAt: number): TokenSet {
  if (typeof body !== 'object' || body === null) throw new TokenResponseError('body');
  const o = body as Record<string, unknown>;
  const accessToken = token(o, 'access_token');
  const refreshToken = token(o, 'refresh_token');
  const expiresIn = o.expires_in;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new TokenResponseError('expires_in');
  }
  if (typeof o.scope !== 'string') throw new TokenResponseError('scope');
  if (
    o.token_type !== undefined &&
    (typeof o.token_type !== 'string' || o.token_type.toLowerCase() !== 'bearer')
  ) {
    throw new TokenResponseError('token_type');
  }
  return {
    accessToken,
    refreshToken,
    accessExpiresAt: receivedAt + expiresIn * 1000,
    scopes: o.scope.split(/\s+/).filter((s) => s.length > 0),
    apiUrl: typeof o.api_url === 'string' ? o.api_url : null,
  };
}
