import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Services } from '../compose';
import { createCodeVerifier, codeChallengeS256, createState, safeEqual } from '../zoom/pkce';
import { OAuthError } from '../zoom/oauth-errors';
import { isZoomApiError } from '../zoom/errors';
import type { ZoomUser } from '../zoom/api';
import type { TokenSet } from '../zoom/token-response';
import type { CsrfGuard } from './csrf';
import { formBody } from './forms';
import { renderMessage, renderMisconfigured } from './pages';
import {
  destroySession,
  regenerateSession,
  saveSession,
  SESSION_COOKIE,
  type PendingAuthorization,
} from './session';

const STATE_LIFETIME_MS = 10 * 60 * 1000;
/** A few installs may be in flight at once (several tabs); older ones are dropped. */
const MAX_PENDING = 5;
const MAX_PARAM_LENGTH = 2048;

/** A single string query parameter, or undefined (arrays, objects and huge values are refused). */
function queryParam(req: Request, name: string): string | undefined | null {
  const v: unknown = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > MAX_PARAM_LENGTH) return null;
  return v;
}

export function authRoutes(
  services: Services,
  csrf: CsrfGuard,
  installLimit: RequestHandler,
  callbackLimit: RequestHandler,
): Router {
  const { config, oauth, zoomApi, tokens, logger, sessionIndex } = services;
  const router = Router();
  const now = (): number => Date.now();

  router.get('/install', installLimit, async (req, res) => {
    const state = createState();
    const codeVerifier = createCodeVerifier();
    const t = now();
    const pending = (req.session.pendingAuth ?? []).filter((p) => p.expiresAt > t);
    pending.push({ state, codeVerifier, expiresAt: t + STATE_LIFETIME_MS });
    req.session.pendingAuth = pending.slice(-MAX_PENDING);
    await saveSession(req);
    res.set('Cache-Control', 'no-store');
    res.redirect(
      302,
      oauth.authorizationUrl({ state, codeChallenge: codeChallengeS256(codeVerifier) }),
    );
  });

  router.get(config.zoom.callbackPath, callbackLimit, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const code = queryParam(req, 'code');
    const state = queryParam(req, 'state');
    const error = queryParam(req, 'error');
    if (code === null || state === null || error === null) {
      return badCallback(res, 'The sign-in link is malformed.');
    }

    if (error !== undefined) {
      if (state) await consumePending(req, state);
      if (error === 'access_denied') {
        logger.info('install cancelled at consent');
        return renderMessage(res, 403, {
          title: 'You cancelled — Assistant Remover',
          heading: 'You cancelled',
          paragraphs: [
            'You chose not to let this app see your assistants, so nothing changed and nothing was stored.',
            'You can add the app whenever you like.',
          ],
          action: { href: '/', label: 'Back to the start' },
          tone: 'info',
        });
      }
      return badCallback(res, 'Zoom could not complete the sign-in.');
    }

    if (!code) return badCallback(res, 'The sign-in link has no authorization code.');
    // A Marketplace "Add" install carries no state of ours: start our own round trip, which
    // Zoom completes at once for an app the user has just authorized. Nothing from this code.
    if (state === undefined || state === '') return res.redirect(302, '/install');

    const pending = await consumePending(req, state);
    if (!pending) {
      return renderMessage(res, 400, {
        title: 'Link expired — Assistant Remover',
        heading: 'This sign-in link has expired',
        paragraphs: [
          'It was already used, is more than 10 minutes old, or was started in another browser.',
          'Nothing was stored. Start again to connect your Zoom account.',
        ],
        action: { href: '/install', label: 'Start again' },
        tone: 'warning',
      });
    }

    let grant: TokenSet;
    let user: ZoomUser;
    try {
      grant = await oauth.exchangeCode(code, pending.codeVerifier);
      user = await zoomApi.getMe(grant.accessToken);
    } catch (err) {
      return exchangeFailed(res, err);
    }

    const { grantId } = await tokens.beginGrant(user.id, grant);
    // A new session id on sign-in: a session id planted before it (fixation) is worthless.
    await regenerateSession(req);
    req.session.user = { id: user.id, grantId, name: user.displayName, email: user.email };
    req.session.seenAt = now();
    // Indexed before it is saved, so that ending the grant at any moment ends this session too.
    const expires =
      req.session.cookie.expires?.getTime() ?? now() + config.session.absoluteLifetimeMs;
    await sessionIndex.register(user.id, req.sessionID, expires);
    await saveSession(req);
    logger.info({ userId: user.id }, 'signed in');
    res.redirect(302, '/');
  });

  router.post('/logout', formBody, csrf.protect, async (req, res) => {
    const userId = req.session.user?.id;
    const sessionId = req.sessionID;
    await destroySession(req);
    if (userId) await sessionIndex.unregister(userId, sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    if (userId) logger.info({ userId }, 'signed out');
    res.redirect(303, '/');
  });

  function exchangeFailed(res: Response, err: unknown): void {
    if (err instanceof OAuthError && err.kind === 'invalid_client') {
      logger.error({ err: err.message }, 'Zoom refused the app’s client credentials at sign-in');
      return renderMisconfigured(res);
    }
    if (err instanceof OAuthError && (err.kind === 'grant_dead' || err.kind === 'refused')) {
      logger.warn({ err: err.message }, 'authorization code refused');
      return renderMessage(res, 400, {
        title: 'Sign-in failed — Assistant Remover',
        heading: 'Zoom did not accept the sign-in',
        paragraphs: ['The authorization code was refused or had expired. Nothing was stored.'],
        action: { href: '/install', label: 'Try again' },
        tone: 'error',
      });
    }
    if (err instanceof OAuthError || isZoomApiError(err)) {
      logger.warn({ err: err.message }, 'sign-in failed at Zoom');
      return renderMessage(res, 502, {
        title: 'Zoom did not answer — Assistant Remover',
        heading: 'Zoom did not answer',
        paragraphs: ['Nothing was stored. Try again in a moment.'],
        action: { href: '/install', label: 'Try again' },
        tone: 'error',
      });
    }
    throw err;
  }

  return router;
}

/** Finds and removes the pending round trip with this state (constant-time compare). */
async function consumePending(req: Request, state: string): Promise<PendingAuthorization | null> {
  const list = req.session.pendingAuth;
  if (!list || list.length === 0) return null;
  const t = Date.now();
  let found: PendingAuthorization | null = null;
  const rest: PendingAuthorization[] = [];
  for (const p of list) {
    if (safeEqual(p.state, state)) {
      if (p.expiresAt > t) found = p;
    } else if (p.expiresAt > t) {
      rest.push(p);
    }
  }
  req.session.pendingAuth = rest.length > 0 ? rest : undefined;
  // Persist the consumption now: a replay of this state must fail even if what follows fails.
  await saveSession(req);
  return found;
}

function badCallback(res: Response, reason: string): void {
  renderMessage(res, 400, {
    title: 'Sign-in failed — Assistant Remover',
    heading: 'That sign-in did not work',
    paragraphs: [reason, 'Nothing was stored.'],
    action: { href: '/install', label: 'Start again' },
    tone: 'error',
  });
}
