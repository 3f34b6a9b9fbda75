import type { SandboxState, SandboxUser } from './state';

/** What tests assert on: the user, its assistants and its grant, tokens included (local only). */
export function userSnapshot(state: SandboxState, user: SandboxUser): Record<string, unknown> {
  const grant = state.grants.get(user.key);
  const access = grant?.accessToken ? state.accessTokens.get(grant.accessToken) : undefined;
  const accessStatus = !access ? 'none' : state.now() >= access.expiresAt ? 'expired' : 'live';
  return {
    key: user.key,
    user: user.profile,
    assistants: user.assistants,
    grant: grant
      ? {
          client_id: grant.clientId,
          scopes: grant.scopes,
          status: grant.revoked ? 'revoked' : 'active',
          created_at: new Date(grant.createdAt).toISOString(),
          updated_at: new Date(grant.updatedAt).toISOString(),
          revoked_at: grant.revokedAt ? new Date(grant.revokedAt).toISOString() : null,
          access_token: grant.accessToken ?? null,
          access_token_status: accessStatus,
          access_token_expires_at: access ? new Date(access.expiresAt).toISOString() : null,
          refresh_token: grant.refreshToken ?? null,
        }
      : null,
    signed_in: [...state.sessions.values()].includes(user.key),
  };
}

export function configSnapshot(state: SandboxState): Record<string, unknown> {
  const s = state.settings;
  return {
    accessTokenTtlSeconds: s.accessTokenTtlSeconds,
    grantScopes: s.grantScopes.join(' '),
    appName: s.appName,
    webhookUrl: s.webhookUrl ?? null,
    webhookSecretTokenSet: s.webhookSecretToken !== undefined,
    publicUrl: state.publicUrl,
    clientId: state.clientId,
    redirectUris: state.redirectUris,
  };
}
