import type { Request, RequestHandler, Response } from 'express';
import { hasScope, missingScopeMessage, type ApiOp } from './api-ops';
import type { SandboxContext } from './context';
import { refuseOverDailyLimit } from './daily-limits';
import { applyFault } from './faults';
import { waitLatency } from './latency';
import { bearerToken, pathParam, sendJson } from './http-util';
import type { SandboxUser } from './state';
import { checkAccessToken } from './tokens';

export interface ApiCall {
  /** The user the token belongs to, who is also the user named in the path. */
  user: SandboxUser;
}

type Handler = (req: Request, res: Response, call: ApiCall) => void;

type AuthResult = { ok: true; userKey: string; scopes: string[] } | { ok: false; message: string };

/**
 * Tokens are accepted only in the Authorization header since Feb 2023
 * (https://devsupport.zoom.us/hc/en-us/articles/12363164278669).
 */
function authenticate(ctx: SandboxContext, req: Request): AuthResult {
  if (Object.prototype.hasOwnProperty.call(req.query, 'access_token')) {
    return {
      ok: false,
      message:
        'Invalid access token, this access token is not supported as query parameter string.',
    };
  }
  const token = bearerToken(req);
  if (token === undefined) return { ok: false, message: 'Invalid access token.' };
  const check = checkAccessToken(ctx.state, token);
  if (!check.ok) {
    const expired = check.reason === 'expired';
    return { ok: false, message: expired ? 'Access token is expired.' : 'Invalid access token.' };
  }
  return { ok: true, userKey: check.record.userKey, scopes: check.record.scopes };
}

/** `me`, the token user's id or email; anything else is another user, which this app may not see. */
function resolvePathUser(user: SandboxUser, userId: string): boolean {
  return (
    userId === 'me' ||
    userId === user.profile.id ||
    userId.toLowerCase() === user.profile.email.toLowerCase()
  );
}

/**
 * Wraps a REST handler with what every /v2 call goes through, in this order: counter, injected
 * fault, bearer token (401 124), the account's daily limit (429), scope (`missingScopeAnswer`,
 * default 400 4711), path user (404 1001).
 */
export function apiRoute(ctx: SandboxContext, op: ApiOp, handle: Handler): RequestHandler {
  return async (req, res) => {
    const { state } = ctx;
    state.stats[op.counter] += 1;
    if (await applyFault(ctx, 'api', op.category, req, res)) return;
    const auth = authenticate(ctx, req);
    if (!(await waitLatency(ctx, auth.ok ? auth.userKey : undefined))) return;
    if (!auth.ok) {
      state.stats.api_401 += 1;
      return sendJson(res, 401, { code: 124, message: auth.message });
    }
    // [UNCONFIRMED] where Zoom counts: here every authenticated call counts, refused ones too.
    if (refuseOverDailyLimit(state, op.category, res)) return;
    const userId = pathParam(req, 'userId');
    if (!hasScope(op, auth.scopes, userId === 'me')) {
      // Zoom's errors page lists 4700 "does not contain scopes"; the forum and third parties see
      // 400 code 4711, some 401. The message names the granular scopes either way [UNCONFIRMED
      // for 4700].
      const answer = state.settings.missingScopeAnswer;
      state.stats.api_missing_scope += 1;
      return sendJson(res, answer.status, { code: answer.code, message: missingScopeMessage(op) });
    }
    const user = state.users.get(auth.userKey);
    if (!user || !resolvePathUser(user, userId)) {
      return sendJson(res, 404, { code: 1001, message: `User does not exist: ${userId}.` });
    }
    handle(req, res, { user });
  };
}
