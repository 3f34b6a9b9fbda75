import { Router, type RequestHandler } from 'express';
import type { AppParts } from '../compose';
import { beginAuthorization, checkCallback } from '../zoom/authorization';
import { codeChallengeS256 } from '../zoom/pkce';
import { CALLBACK_PROBLEMS, PAGE, PAGES } from './copy';
import type { CsrfGuard } from './csrf';
import { formBody } from './forms';
import { renderMessage, renderMisconfigured } from './pages';
import { destroySession, regenerateSession, saveSession, SESSION_COOKIE } from './session';

/** /install, the OAuth callback and /logout. */
export function authRoutes(
  parts: Pick<AppParts, 'config' | 'logger' | 'authorizationUrl' | 'sessionIndex'>,
  signIn: AppParts['useCases']['signIn'],
  csrf: CsrfGuard,
  installLimit: RequestHandler,
  callbackLimit: RequestHandler,
): Router {
  const { config, authorizationUrl, logger, sessionIndex } = parts;
  const router = Router();

  router.get('/install', installLimit, async (req, res) => {
    const { started, pending } = beginAuthorization(req.session.pendingAuth, Date.now());
    req.session.pendingAuth = pending;
    await saveSession(req);
    res.set('Cache-Control', 'no-store');
    res.redirect(
      302,
      authorizationUrl({
        state: started.state,
        codeChallenge: codeChallengeS256(started.codeVerifier),
      }),
    );
  });

  router.get(config.zoom.callbackPath, callbackLimit, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const before = req.session.pendingAuth ?? [];
    const { check, pending } = checkCallback(req.query, before, Date.now());
    if (pending.length !== before.length) {
      // Spent now: a replay of this state must fail even if what follows fails.
      req.session.pendingAuth = pending.length > 0 ? pending : undefined;
      await saveSession(req);
    }
    switch (check.kind) {
      case 'malformed':
        return renderMessage(res, 400, PAGE.badCallback(CALLBACK_PROBLEMS.malformed));
      case 'denied':
        logger.info('install cancelled at consent');
        return renderMessage(res, 403, PAGES.cancelled);
      case 'zoom_error':
        return renderMessage(res, 400, PAGE.badCallback(CALLBACK_PROBLEMS.zoomError));
      case 'no_code':
        return renderMessage(res, 400, PAGE.badCallback(CALLBACK_PROBLEMS.noCode));
      case 'no_state':
        // A Marketplace "Add" install carries no state of ours: start our own round trip,
        // which Zoom completes at once for an app the user has just authorized.
        return res.redirect(302, '/install');
      case 'expired':
        // Opened again (Back, a second tab) while signed in: the dashboard, not an error.
        if (req.session.user) return res.redirect(303, '/');
        return renderMessage(res, 400, PAGES.linkExpired);
      case 'ok':
        break;
    }

    const signedIn = await signIn(check.code, check.codeVerifier);
    switch (signedIn.kind) {
      case 'misconfigured':
        return renderMisconfigured(res);
      case 'code_refused':
        return renderMessage(res, 400, PAGES.signInRefused);
      case 'zoom_unanswered':
        return renderMessage(res, 502, PAGES.signInUnanswered);
      case 'signed_in':
        break;
    }
    const { user, grantId } = signedIn;
    // A new session id on sign-in: a session id planted before it (fixation) is worthless.
    await regenerateSession(req);
    req.session.user = { id: user.id, grantId }; // ids only: who they are is in the grant
    req.session.seenAt = Date.now();
    // Indexed before it is saved, so that ending the grant at any moment ends this session too.
    const expires =
      req.session.cookie.expires?.getTime() ?? Date.now() + config.session.absoluteLifetimeMs;
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
    res.redirect(303, '/?notice=signed-out');
  });

  return router;
}
