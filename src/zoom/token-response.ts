import { z } from 'zod';

/**
 * The token endpoint's success body, checked before anything is stored: access_token,
 * refresh_token and scope are strings, expires_in a positive number (Zoom's own SDK rejects
 * anything else). Scopes are space-separated.
 */

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessExpiresAt: number;
  readonly scopes: readonly string[];
}

export class TokenResponseError extends Error {
  constructor(field: string) {
    super(`Zoom's token response is missing or has a malformed ${field}`);
    this.name = 'TokenResponseError';
  }
}

/** Opaque, but bounded and without whitespace: it goes into an Authorization header. */
const Token = z.string().min(1).max(8192).regex(/^\S+$/);

const TokenResponseBody = z.object({
  access_token: Token,
  refresh_token: Token,
  expires_in: z.number().finite().positive(),
  scope: z.string(),
  token_type: z
    .string()
    .refine((t) => t.toLowerCase() === 'bearer')
    .optional(),
  // api_url (the user's regional base) is not read: Zoom serves every region at the global base
  // (ZOOM_API_URL), so one configured host gets the bearer tokens, not one a response names.
});

export function parseTokenResponse(body: unknown, receivedAt: number): TokenSet {
  const parsed = TokenResponseBody.safeParse(body);
  if (!parsed.success) {
    // Only the field's name: the value may be a token.
    const field = parsed.error.issues[0]?.path[0];
    throw new TokenResponseError(typeof field === 'string' ? field : 'body');
  }
  const o = parsed.data;
  return {
    accessToken: o.access_token,
    refreshToken: o.refresh_token,
    accessExpiresAt: receivedAt + o.expires_in * 1000,
    scopes: o.scope.split(/\s+/).filter((s) => s.length > 0),
  };
}
