import type { Request, Response } from 'express';
import type { SandboxContext } from './context';
import { BenchGrantsBody } from './control-schemas';
import { parseBody } from './control-util';
import { sendJson } from './http-util';
import { derivedPmi, derivedUserId } from './ids';
import { SEED_USERS, profileOf } from './seed';
import { issueTokens, revokeGrant } from './tokens';

/**
 * `POST /_sandbox/bench-grants {count, from}`: `count` users (bench-<n>@example.com, each on
 * the demo account) who have each just installed the app, with their tokens — what a
 * benchmark seeds the app's Redis with, in the app's own format, without `count` browser
 * round trips. The tokens are the sandbox's usual Zoom-sized ones.
 */
export function benchGrants(ctx: SandboxContext, req: Request, res: Response): void {
  const body = parseBody(BenchGrantsBody, req, res);
  if (!body.ok) return;
  const { state } = ctx;
  const template = SEED_USERS[0];
  if (!template) return sendJson(res, 500, { error: 'no seed user' });
  const scopes = [...state.settings.grantScopes];
  const made = [];
  for (let n = body.data.from; n < body.data.from + body.data.count; n++) {
    const email = `bench-${n}@example.com`;
    const id = derivedUserId(email);
    const key = `bench-${n}`;
    const profile = { ...profileOf(template), id, email, pmi: derivedPmi(email) };
    profile.first_name = 'Bench';
    profile.last_name = String(n);
    profile.display_name = `Bench ${n}`;
    state.users.set(key, { key, profile });
    const grant = {
      userKey: key,
      clientId: state.clientId,
      scopes,
      createdAt: state.now(),
      updatedAt: state.now(),
      revoked: false,
    };
    state.grants.set(key, grant);
    const tokens = issueTokens(state, grant, scopes);
    const revoked = body.data.revokeEvery !== undefined && n % body.data.revokeEvery === 0;
    if (revoked) revokeGrant(state, key);
    made.push({ user: key, userId: id, email, revoked, ...tokens });
  }
  sendJson(res, 200, { grants: made });
}
