import { Router, type RequestHandler } from 'express';
import type { Services } from '../compose';
import { OAuthError } from '../zoom/oauth';
import { ReconnectRequiredError } from '../zoom/token-manager';
import type { CsrfGuard } from './csrf';
import { formBody, formField } from './forms';
import { renderMessage } from './pages';
import { destroySession, SESSION_COOKIE } from './session';

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
  const { tokens, oauth, userData, logger } = services;
  const router = Router();

  router.post('/disconnect', formBody, csrf.protect, actionLimit, async (req, res) => {
    const user = req.session.user;
    if (!user) return res.redirect(303, '/');
    if (formField(req, 'confirm') !== 'yes') {
      req.session.flash = {
        kind: 'error',
        text: 'Tick the box to confirm that you want to disconnect the app.',
      };
      return res.redirect(303, '/');
    }

    let revokedAtZoom = true;
    try {
      await oauth.revoke(await tokens.accessTokenFor(user.id));
    } catch (err) {
      // Already gone at Zoom (no grant) counts as revoked; anything else may have left it there.
      revokedAtZoom = err instanceof ReconnectRequiredError;
      if (!revokedAtZoom) {
        logger.warn(
          { userId: user.id, err: err instanceof OAuthError ? err.message : 'error' },
          'revoke at Zoom failed; deleting local data anyway',
        );
      }
    }
    await destroySession(req);
    const deleted = await userData.deleteAll(user.id);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    logger.info(
      { audit: 'disconnect', userId: user.id, revokedAtZoom, deleted },
      'app disconnected',
    );

    const paragraphs = [
      'We deleted everything we kept for you: your encrypted Zoom tokens and your sign-in sessions on every device.',
      revokedAtZoom
        ? 'Zoom has revoked the app’s access to your account.'
        : 'Zoom did not confirm the revocation, so it may still list the app under Manage → Installed apps in the Zoom App Marketplace; remove it there to be sure.',
      'Your assistants are as you left them. You can add the app again at any time.',
    ];
    renderMessage(res, 200, {
      title: 'Disconnected — Assistant Remover',
      heading: 'The app is disconnected',
      paragraphs,
      action: { href: '/', label: 'Back to the start' },
      tone: revokedAtZoom ? 'info' : 'warning',
    });
  });

  return router;
}
