import express, { type Request, type Response, type Router } from 'express';
import { authenticateClient, noStore } from './client-auth';
import type { SandboxContext } from './context';
import { applyFault } from './faults';
import { field, sendJson } from './http-util';
import { verifyPkce } from './pkce';
import { REFUSALS } from './refusals';
import type { SandboxState } from './state';
import { waitLatency } from './latency';
import { issueTokens } from './tokens';

const INVALID_CODE = { reason: 'Invalid authorization code', error: 'invalid_grant' };
const UNSUPPORTED = { reason: 'Unsupported grant type', error: 'unsupported_grant_type' };

function exchangeCode(state: SandboxState, body: unknown, res: Response): void {
  const code = field(body, 'code');
  const rec = code === undefined ? undefined : state.codes.get(code);
  // Single use: the code is spent by any attempt, including one with a wrong verifier.
  if (code !== undefined) state.codes.delete(code);
  const valid =
    rec !== undefined &&
    state.now() < rec.expiresAt &&
    rec.clientId === state.clientId &&
    rec.redirectUri === field(body, 'redirect_uri') &&
    verifyPkce(rec.challenge, field(body, 'code_verifier'));
  const grant = rec ? state.activeGrant(rec.userKey) : undefined;
  if (!valid || !rec || !grant) return sendJson(res, 400, INVALID_CODE);
  // A new exchange replaces the grant's earlier tokens (Zoom 4741: the last one issued wins).
  grant.scopes = [...rec.scopes];
  const tokens = issueTokens(state, grant, rec.scopes);
  state.stats.token_authorization_code_ok += 1;
  sendJson(res, 200, tokens);
}

function refresh(state: SandboxState, body: unknown, res: Response): void {
  const token = field(body, 'refresh_token');
  // A grant revoked with `answer` keeps refusing its last refresh token in that shape.
  const refused = token === undefined ? undefined : state.refusedRefreshTokens.get(token);
  if (refused) {
    state.stats.token_refresh_refused += 1;
    const shape = REFUSALS[refused.refusal];
    return sendJson(res, shape.status, shape.body);
  }
  const rec = token === undefined ? undefined : state.refreshTokens.get(token);
  const grant = rec ? state.activeGrant(rec.userKey) : undefined;
  if (!rec || !grant || grant.refreshToken !== token || rec.clientId !== state.clientId) {
    state.stats.token_refresh_invalid_grant += 1;
    return sendJson(res, REFUSALS.invalid_grant.status, REFUSALS.invalid_grant.body);
  }
  // Rotation: "once a new access token is issued, that request immediately invalidates the previous
  // refresh token" (https://devforum.zoom.us/t/77706). [UNCONFIRMED] for the old access token;
  // stricter reading: it dies at once too.
  const tokens = issueTokens(state, grant, rec.scopes);
  state.stats.token_refresh_ok += 1;
  sendJson(res, 200, tokens);
}

async function postToken(ctx: SandboxContext, req: Request, res: Response): Promise<void> {
  const { state } = ctx;
  const body: unknown = req.body;
  const grantType = field(body, 'grant_type');
  if (grantType === 'authorization_code') state.stats.token_authorization_code += 1;
  else if (grantType === 'refresh_token') state.stats.token_refresh += 1;
  else state.stats.token_unsupported_grant += 1;
  if (!state.tokenSockets.has(req.socket)) {
    state.tokenSockets.add(req.socket);
    state.stats.token_connections += 1;
  }
  const refreshToken = grantType === 'refresh_token' ? field(body, 'refresh_token') : undefined;
  const userKey =
    refreshToken === undefined ? undefined : state.refreshTokens.get(refreshToken)?.userKey;
  if (!(await waitLatency(ctx, userKey))) return;
  if (await applyFault(ctx, 'token', 'Light', req, res)) return;
  noStore(res);
  if (!authenticateClient(state, req, res)) return;
  // Parameters are read from the form body only: Zoom also takes the query string, but tokens
  // and codes in URLs end up in logs, so the sandbox refuses that path.
  if (grantType === 'authorization_code') return exchangeCode(state, body, res);
  if (grantType === 'refresh_token') return refresh(state, body, res);
  sendJson(res, 400, UNSUPPORTED);
}

export function tokenRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  router.post('/oauth/token', express.urlencoded({ extended: false, limit: '16kb' }), (req, res) =>
    postToken(ctx, req, res),
  );
  return router;
}
