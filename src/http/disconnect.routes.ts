import { Router, type RequestHandler } from 'express';
import type { Services } from '../compose';
import { OAuthError } from '../zoom/oauth-errors';
import { GrantEndedError, ReconnectRequiredError } from '../zoom/token-manager';
import type { CsrfGuard } from './csrf';
import { formBody, formField } from './forms';
import { FLASH, PAGE } from './copy';
import { renderMessage } from './pages';
import { destroySession, grantOf, SESSION_COOKIE } from './session';

/**
 * "Disconnect this app from Zoom": revoke the grant at Zoom, then delete everything we keep
 * for the user, whatever Zoom answered. Zoom then sends app_deauthorized, which finds nothing
 * left to delete (the webhook is idempotent).
 */
export function disconnectRoutes(
  services: Services,
  csrf: CsrfGuard,
  actionLimit: RequestHandler,
): Router {
  const { tokens, oauth, logger, sessionIndex } = services;
  const router = Router();

  router.post('/disconnect', formBody, csrf.protect, actionLimit, async (req, res) => {
    const user = req.session.user;
    if (!user) return res.redirect(303, '/');
    if (formField(req, 'confirm') !== 'yes') {
      req.session.flash = {
        kind: 'error',
        text: FLASH.confirmDisconnect,
      };
      return res.redirect(303, '/');
    }

    const sessionId = req.sessionID;
    let revokedAtZoom = true;
    try {
      await oauth.revoke(await tokens.accessTokenFor(grantOf(user)));
    } catch (err) {
      if (err instanceof GrantEndedError) {
        // This session's grant is already over; a newer one (another tab) is not ours to end.
        await destroySession(req);
        await sessionIndex.unregister(user.id, sessionId);
        return res.redirect(303, '/?notice=access-ended');
      }
      // A grant Zoom refuses counts as revoked; anything else may have left it there.
      revokedAtZoom = err instanceof ReconnectRequiredError;
      if (!revokedAtZoom) {
        logger.warn(
          { userId: user.id, err: err instanceof OAuthError ? err.message : 'error' },
          'revoke at Zoom failed; deleting local data anyway',
        );
      }
    }
    const ending = await tokens.endGrant(user.id); // every session of the grant, this one too
    await destroySession(req);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    logger.info(
      { audit: 'disconnect', userId: user.id, revokedAtZoom, ending },
      'app disconnected',
    );

    // A page of its own to land on: reloading it, or Back to it, posts nothing again.
    res.redirect(303, `/goodbye?revoked=${revokedAtZoom ? '1' : '0'}`);
  });

  router.get('/goodbye', (req, res) => {
    res.set('Cache-Control', 'no-store');
    renderMessage(res, 200, PAGE.disconnected(req.query.revoked !== '0'));
  });

  return router;
}
