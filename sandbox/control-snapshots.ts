import { assistantsOf, isDemoUser, schedulersOf } from './members';
import type { AccountMember, SandboxState, SandboxUser } from './state';

/** What tests assert on: the user, assistants, schedulers and grant, tokens included (local). */
export function userSnapshot(state: SandboxState, user: SandboxUser): Record<string, unknown> {
  const grant = state.grants.get(user.key);
  const access = grant?.accessToken ? state.accessTokens.get(grant.accessToken) : undefined;
  const accessStatus = !access ? 'none' : state.now() >= access.expiresAt ? 'expired' : 'live';
  const refused = grant?.refreshToken ? undefined : refusedAnswer(state, user.key);
  return {
    key: user.key,
    user: user.profile,
    assistants: assistantsOf(state, user.profile.id),
    schedulers: schedulersOf(state, user.profile.id),
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
          refresh_answer: refused ?? null,
        }
      : null,
    signed_in: [...state.sessions.values()].includes(user.key),
  };
}

/** The durable refusal set by `revoke-grant {answer}` for the user's last refresh token. */
function refusedAnswer(state: SandboxState, userKey: string): string | undefined {
  let answer: string | undefined;
  for (const r of state.refusedRefreshTokens.values())
    if (r.userKey === userKey) answer = r.refusal;
  return answer;
}

export function memberSnapshot(state: SandboxState, m: AccountMember): Record<string, unknown> {
  return {
    id: m.id,
    email: m.email,
    type: m.type,
    pmi: m.pmi,
    demo_user: isDemoUser(state, m.id),
    assistants: assistantsOf(state, m.id),
    schedulers: schedulersOf(state, m.id),
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
    webhookRetry: { ...s.webhookRetry },
    webhookDrop: s.webhookDrop,
    missingScopeAnswer: { ...s.missingScopeAnswer },
    unknownAssistantDelete: s.unknownAssistantDelete,
    unknownSchedulerDelete: s.unknownSchedulerDelete,
    paidAccount: s.paidAccount,
    dailyLimits: { ...s.dailyLimits },
    addAssistantsIgnored: Array.isArray(s.addAssistantsIgnored)
      ? [...s.addAssistantsIgnored]
      : s.addAssistantsIgnored,
    addAssistantsBatchRefused: s.addAssistantsBatchRefused,
    latencyMs: s.latencyMs,
    userLatencyMs: { ...s.userLatencyMs },
    publicUrl: state.publicUrl,
    clientId: state.clientId,
    redirectUris: state.redirectUris,
  };
}
