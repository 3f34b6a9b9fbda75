import type { Request, Response } from 'express';
import type { Services } from '../compose';
import { GrantEndedError, ReconnectRequiredError } from '../zoom/token-manager';
import { describeZoomFailure, type ZoomAction } from './failures';
import { renderLanding, renderReconnect } from './pages';
import { destroySession, type Flash, type SessionUser } from './session';

/**
 * What every route that acts on Zoom shares: the signed-in user or a clear 401 page, the end
 * of a session whose grant is over, and "run it, then 303 to / with a one-time message".
 */
export interface ZoomActions {
  signedInUser(req: Request, res: Response): SessionUser | null;
  /** Runs `run` and answers 303 to / with its message, or with Zoom's failure in words. */
  act(
    req: Request,
    res: Response,
    user: SessionUser,
    action: ZoomAction,
    run: () => Promise<Flash>,
  ): Promise<void>;
  /** The session's grant is gone: signs out and answers; true when it has answered. */
  grantGone(req: Request, res: Response, user: SessionUser, err: unknown): Promise<boolean>;
}

export function zoomActions(services: Services): ZoomActions {
  const { logger, sessionIndex } = services;

  async function grantGone(
    req: Request,
    res: Response,
    user: SessionUser,
    err: unknown,
  ): Promise<boolean> {
    // Over: it ended (a deauthorization, a disconnect, a newer sign-in) or Zoom refused it
    // (then everything kept for the user is already erased). The session goes too.
    if (!(err instanceof GrantEndedError || err instanceof ReconnectRequiredError)) return false;
    const sessionId = req.sessionID;
    await destroySession(req);
    await sessionIndex.unregister(user.id, sessionId);
    if (err instanceof ReconnectRequiredError) {
      logger.warn({ userId: user.id }, 'grant refused by Zoom; signed out');
      if (req.method === 'GET') renderReconnect(res);
      else res.redirect(303, '/?notice=reconnect');
    } else if (req.method === 'GET') {
      renderLanding(res, { notice: 'access-ended' });
    } else {
      res.redirect(303, '/?notice=access-ended');
    }
    return true;
  }

  return {
    signedInUser(req, res) {
      const user = req.session.user;
      if (user) return user;
      res.redirect(303, '/?notice=signed-out');
      return null;
    },

    async act(req, res, user, action, run) {
      try {
        req.session.flash = await run();
      } catch (err) {
        if (await grantGone(req, res, user, err)) return;
        const failure = describeZoomFailure(err, action);
        if (!failure) throw err;
        logger.warn(
          { userId: user.id, err: err instanceof Error ? err.message : 'unknown' },
          `${action} failed`,
        );
        req.session.flash = { kind: 'error', text: failure.text, reconnect: failure.reconnect };
      }
      res.redirect(303, '/');
    },

    grantGone,
  };
}
