import express, { type Request, type Response, type Router } from 'express';
import type { SandboxContext } from './context';
import { field, sendHtml, withQuery } from './http-util';
import { newAuthCode } from './ids';
import { isValidChallenge } from './pkce';
import { signIn, signedInUser } from './session';
import type { Grant, PkceChallenge, SandboxState } from './state';
import { consentPage, errorPage, type ConsentView } from './views';

/** Auth codes live 5 minutes (4733, https://developers.zoom.us/docs/integrations/oauth-error-messages/). */
const CODE_TTL_MS = 5 * 60 * 1000;

interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state?: string;
  challenge?: PkceChallenge;
  raw: ConsentView['params'];
}

type ParseResult =
  { ok: true; params: AuthorizeParams } | { ok: false; message: string; code?: number };

/** Validates in Zoom's order: client, redirect URI, then the rest. Errors are pages, never redirects. */
function parseAuthorize(state: SandboxState, source: unknown): ParseResult {
  const clientId = field(source, 'client_id');
  const redirectUri = field(source, 'redirect_uri');
  const responseType = field(source, 'response_type');
  const challengeValue = field(source, 'code_challenge');
  const challengeMethod = field(source, 'code_challenge_method');
  const oauthState = field(source, 'state');
  if (clientId === undefined || clientId !== state.clientId) {
    return { ok: false, message: 'Invalid client_id' };
  }
  if (redirectUri === undefined || !state.redirectUris.includes(redirectUri)) {
    return { ok: false, message: 'Redirect URI mismatch', code: 4709 };
  }
  if (responseType !== 'code') {
    return { ok: false, message: 'Unsupported response_type: only "code" is supported' };
  }
  let challenge: PkceChallenge | undefined;
  if (challengeValue !== undefined) {
    // Zoom: the method defaults to "plain" when absent (Zoom's Postman collection, "Request user
    // authorization PKCE").
    const method = challengeMethod ?? 'plain';
    if (method !== 'S256' && method !== 'plain') {
      return { ok: false, message: 'Invalid code_challenge_method' };
    }
    challenge = { value: challengeValue, method };
    if (!isValidChallenge(challenge)) return { ok: false, message: 'Invalid code_challenge' };
  } else if (challengeMethod !== undefined) {
    // [UNCONFIRMED] what Zoom does with a method but no challenge; stricter reading: reject.
    return { ok: false, message: 'code_challenge is required with code_challenge_method' };
  }
  return {
    ok: true,
    params: {
      clientId,
      redirectUri,
      state: oauthState === '' ? undefined : oauthState,
      challenge,
      raw: {
        response_type: responseType,
        client_id: clientId,
        redirect_uri: redirectUri,
        state: oauthState,
        code_challenge: challengeValue,
        code_challenge_method: challengeMethod,
      },
    },
  };
}

function redirect(res: Response, location: string): void {
  res.status(302);
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}

/** Issues a single-use code and sends the browser back to the app. `state` only if one was given. */
function redirectWithCode(
  state: SandboxState,
  res: Response,
  p: AuthorizeParams,
  grant: Grant,
): void {
  const code = newAuthCode();
  state.codes.set(code, {
    code,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    userKey: grant.userKey,
    scopes: [...grant.scopes],
    challenge: p.challenge,
    expiresAt: state.now() + CODE_TTL_MS,
  });
  redirect(res, withQuery(p.redirectUri, { code, state: p.state }));
}

function upsertGrant(state: SandboxState, userKey: string, clientId: string): Grant {
  const now = state.now();
  const existing = state.activeGrant(userKey);
  if (existing) {
    // Re-consent keeps the old tokens alive until the new code is exchanged (then 4741 applies).
    existing.scopes = [...state.settings.grantScopes];
    existing.updatedAt = now;
    return existing;
  }
  const grant: Grant = {
    userKey,
    clientId,
    scopes: [...state.settings.grantScopes],
    createdAt: now,
    updatedAt: now,
    revoked: false,
  };
  state.grants.set(userKey, grant);
  return grant;
}

function getAuthorize(ctx: SandboxContext, req: Request, res: Response): void {
  const { state } = ctx;
  state.stats.authorize += 1;
  const parsed = parseAuthorize(state, req.query);
  if (!parsed.ok) return sendHtml(res, 400, errorPage(parsed.message, parsed.code));
  const user = signedInUser(state, req);
  const grant = user ? state.activeGrant(user.key) : undefined;
  // An already-authorized app skips consent, unless the app now asks for different scopes.
  if (grant && grant.clientId === parsed.params.clientId) {
    if (sameScopes(grant.scopes, state.settings.grantScopes)) {
      state.stats.authorize_auto_approved += 1;
      return redirectWithCode(state, res, parsed.params, grant);
    }
  }
  const view: ConsentView = {
    appName: state.settings.appName,
    clientId: state.clientId,
    scopes: state.settings.grantScopes,
    users: [...state.users.values()],
    selectedUserKey: user?.key,
    params: parsed.params.raw,
  };
  sendHtml(res, 200, consentPage(view));
}

function postAuthorize(ctx: SandboxContext, req: Request, res: Response): void {
  const { state } = ctx;
  const body: unknown = req.body;
  const decision = field(body, 'decision');
  if (decision === 'allow') state.stats.consent_allow += 1;
  else if (decision === 'deny') state.stats.consent_deny += 1;
  else return sendHtml(res, 400, errorPage('Missing or unknown decision (allow or deny)'));
  const parsed = parseAuthorize(state, body);
  if (!parsed.ok) return sendHtml(res, 400, errorPage(parsed.message, parsed.code));
  const p = parsed.params;
  if (decision === 'deny') {
    // [UNCONFIRMED] Zoom's shape for a denied consent; this is the standard OAuth one (RFC 6749 §4.1.2.1).
    return redirect(
      res,
      withQuery(p.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied the authorization request.',
        state: p.state,
      }),
    );
  }
  const userKey = field(body, 'user');
  const user = userKey === undefined ? undefined : state.users.get(userKey);
  if (!user) return sendHtml(res, 400, errorPage('Choose one of the demo users to sign in as'));
  const grant = upsertGrant(state, user.key, p.clientId);
  signIn(state, req, res, user.key);
  redirectWithCode(state, res, p, grant);
}

export function authorizeRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  router.get('/oauth/authorize', (req, res) => getAuthorize(ctx, req, res));
  router.post(
    '/oauth/authorize',
    express.urlencoded({ extended: false, limit: '16kb' }),
    (req, res) => postAuthorize(ctx, req, res),
  );
  return router;
}
