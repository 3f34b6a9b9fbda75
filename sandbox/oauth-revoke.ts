import express, { type Request, type Response, type Router } from 'express';
import { authenticateClient, noStore } from './client-auth';
import type { SandboxContext } from './context';
import { applyFault } from './faults';
import { field, sendJson } from './http-util';
import { notifyDeauthorized } from './remove-app';
import type { SandboxState } from './state';
import { revokeGrant } from './tokens';

/** The user whose current access or refresh token this is, if it is one. */
function ownerOf(state: SandboxState, token: string): string | undefined {
  const rec = state.accessTokens.get(token) ?? state.refreshTokens.get(token);
  if (!rec || rec.clientId !== state.clientId) return undefined;
  const grant = state.activeGrant(rec.userKey);
  const current = grant && (grant.accessToken === token || grant.refreshToken === token);
  return current ? rec.userKey : undefined;
}

async function postRevoke(ctx: SandboxContext, req: Request, res: Response): Promise<void> {
  const { state } = ctx;
  state.stats.revoke += 1;
  if (await applyFault(ctx, 'revoke', 'Light', req, res)) return;
  noStore(res);
  if (!authenticateClient(state, req, res)) return;
  const token = field(req.body as unknown, 'token');
  if (token === undefined || token === '') {
    return sendJson(res, 400, { reason: 'Missing token', error: 'invalid_request' });
  }
  const userKey = ownerOf(state, token);
  const user = userKey === undefined ? undefined : state.users.get(userKey);
  // [UNCONFIRMED] whether one revoke kills both tokens: stricter reading, the whole grant dies.
  if (user && revokeGrant(state, user.key)) {
    // Zoom notifies the app asynchronously after a revoke ([FORUM] deauth-compliance).
    void notifyDeauthorized(ctx, user);
  }
  // RFC 7009 §2.2: an unknown or already-revoked token is answered 200 as well.
  sendJson(res, 200, { status: 'success' });
}

export function revokeRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  router.post('/oauth/revoke', express.urlencoded({ extended: false, limit: '16kb' }), (req, res) =>
    postRevoke(ctx, req, res),
  );
  return router;
}
