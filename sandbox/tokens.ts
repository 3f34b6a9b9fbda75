import { newAccessToken, newRefreshToken } from './ids';
import type { RefusalName } from './refusals';
import type { AccessTokenRecord, Grant, SandboxState } from './state';

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  refresh_token: string;
  expires_in: number;
  scope: string;
  api_url: string;
}

/** Drops the grant's current pair so both answer as unknown from now on. */
export function killTokens(state: SandboxState, grant: Grant): void {
  if (grant.accessToken) state.accessTokens.delete(grant.accessToken);
  if (grant.refreshToken) state.refreshTokens.delete(grant.refreshToken);
  grant.accessToken = undefined;
  grant.refreshToken = undefined;
}

/** A new pair replaces the old one at once: rotation and re-authorization (Zoom 4741) alike. */
export function issueTokens(state: SandboxState, grant: Grant, scopes: string[]): TokenResponse {
  killTokens(state, grant);
  const ttl = state.settings.accessTokenTtlSeconds;
  const user = state.users.get(grant.userKey);
  const claims = {
    clientId: grant.clientId,
    userId: user?.profile.id ?? grant.userKey,
    accountId: user?.profile.account_id ?? '',
  };
  const access = newAccessToken(claims);
  const refresh = newRefreshToken(claims);
  state.accessTokens.set(access, {
    token: access,
    userKey: grant.userKey,
    clientId: grant.clientId,
    scopes: [...scopes],
    expiresAt: state.now() + ttl * 1000,
  });
  state.refreshTokens.set(refresh, {
    token: refresh,
    userKey: grant.userKey,
    clientId: grant.clientId,
    scopes: [...scopes],
  });
  grant.accessToken = access;
  grant.refreshToken = refresh;
  grant.updatedAt = state.now();
  return {
    access_token: access,
    token_type: 'bearer',
    refresh_token: refresh,
    expires_in: ttl,
    scope: scopes.join(' '),
    api_url: state.publicUrl,
  };
}

/**
 * Revokes the user's grant (both tokens and unexchanged codes die). Returns it if it was active.
 * With `answer`, the grant's last refresh token keeps answering that refusal shape.
 */
export function revokeGrant(
  state: SandboxState,
  userKey: string,
  answer?: RefusalName,
): Grant | undefined {
  const grant = state.activeGrant(userKey);
  if (!grant) return undefined;
  if (answer !== undefined && grant.refreshToken !== undefined) {
    state.refusedRefreshTokens.set(grant.refreshToken, { userKey, refusal: answer });
  }
  killTokens(state, grant);
  grant.revoked = true;
  grant.revokedAt = state.now();
  for (const [code, rec] of state.codes) if (rec.userKey === userKey) state.codes.delete(code);
  return grant;
}

function grantsFor(state: SandboxState, userKey: string | undefined): Grant[] {
  const all = [...state.grants.values()].filter((g) => !g.revoked);
  return userKey === undefined ? all : all.filter((g) => g.userKey === userKey);
}

/** Live access tokens become expired; refresh tokens are untouched. */
export function expireAccessTokens(state: SandboxState, userKey: string | undefined): number {
  let n = 0;
  for (const grant of grantsFor(state, userKey)) {
    const rec = grant.accessToken ? state.accessTokens.get(grant.accessToken) : undefined;
    if (rec && rec.expiresAt > state.now()) {
      rec.expiresAt = state.now() - 1000;
      n += 1;
    }
  }
  return n;
}

/** Access tokens become unknown (401 "Invalid access token.") while refresh tokens keep working. */
export function invalidateAccessTokens(state: SandboxState, userKey: string | undefined): number {
  let n = 0;
  for (const grant of grantsFor(state, userKey)) {
    if (grant.accessToken) {
      state.accessTokens.delete(grant.accessToken);
      grant.accessToken = undefined;
      n += 1;
    }
  }
  return n;
}

export type AccessCheck =
  { ok: true; record: AccessTokenRecord } | { ok: false; reason: 'invalid' | 'expired' };

/** A token is live only while it is its active grant's current one. */
export function checkAccessToken(state: SandboxState, token: string): AccessCheck {
  const rec = state.accessTokens.get(token);
  const grant = rec ? state.activeGrant(rec.userKey) : undefined;
  if (!rec || !grant || grant.accessToken !== token) return { ok: false, reason: 'invalid' };
  if (state.now() >= rec.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, record: rec };
}
