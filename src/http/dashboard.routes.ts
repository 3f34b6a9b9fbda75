import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Services } from '../compose';
import { ASSISTANT_ID_PATTERN, type Assistant } from '../zoom/api';
import { GrantEndedError, ReconnectRequiredError } from '../zoom/token-manager';
import { FLASH, PAGES, type LandingNotice } from './copy';
import { describeZoomFailure, type ZoomAction } from './failures';
import {
  renderDashboard,
  renderLanding,
  renderMessage,
  renderMisconfigured,
  renderReconnect,
  isLandingNotice,
} from './pages';
import { destroySession, grantOf, type SessionUser } from './session';
import type { CsrfGuard } from './csrf';
import { formBody, formField } from './forms';

const MAX_ASSISTANTS = 30; // Zoom's list maximum

export function dashboardRoutes(
  services: Services,
  csrf: CsrfGuard,
  actionLimit: RequestHandler,
): Router {
  const { tokens, zoomApi, logger, sessionIndex } = services;
  const router = Router();

  router.get('/', async (req, res) => {
    const user = req.session.user;
    if (!user) {
      return renderLanding(res, { notice: noticeOf(req) });
    }

    const flash = req.session.flash;
    if (flash) req.session.flash = undefined;
    const csrfToken = csrf.tokenFor(req);
    res.set('Cache-Control', 'no-store');

    let assistants: Assistant[];
    try {
      assistants = await tokens.withAccessToken(grantOf(user), (t) => zoomApi.listAssistants(t));
    } catch (err) {
      if (await grantGone(req, res, user, err)) return;
      const failure = describeZoomFailure(err, 'list');
      if (!failure) throw err;
      if (failure.status === 503) return renderMisconfigured(res);
      if (failure.retryAfterSeconds) res.set('Retry-After', String(failure.retryAfterSeconds));
      return renderDashboard(res, failure.status, {
        user,
        csrfToken,
        flash,
        assistants: null,
        loadError: failure.text,
        reconnect: failure.reconnect === true,
      });
    }
    renderDashboard(res, 200, {
      user,
      csrfToken,
      flash,
      assistants: assistants.map((a) => ({ id: a.id, email: a.email })),
    });
  });

  router.post('/assistants/clear', formBody, csrf.protect, actionLimit, async (req, res) => {
    const user = signedInUser(req, res);
    if (!user) return;
    // The checkbox is `required` in the page; the server insists too (no script, old browsers).
    if (formField(req, 'confirm') !== 'yes') {
      req.session.flash = {
        kind: 'error',
        text: FLASH.confirmClear,
      };
      return res.redirect(303, '/');
    }
    const count = parseCount(formField(req, 'count'));
    await act(req, res, user, 'clear', async () => {
      await tokens.withAccessToken(grantOf(user), (t) => zoomApi.deleteAllAssistants(t));
      logger.info({ userId: user.id, count }, 'assistants cleared');
      return FLASH.removedAll(count);
    });
  });

  router.post('/assistants/:id/remove', formBody, csrf.protect, actionLimit, async (req, res) => {
    const user = signedInUser(req, res);
    if (!user) return;
    const id = req.params.id;
    if (typeof id !== 'string' || !ASSISTANT_ID_PATTERN.test(id)) {
      return renderMessage(res, 400, PAGES.notAnAssistant);
    }
    const email = parseEmail(formField(req, 'email'));
    await act(req, res, user, 'remove', async () => {
      await tokens.withAccessToken(grantOf(user), (t) => zoomApi.deleteAssistant(t, id));
      logger.info({ userId: user.id }, 'assistant removed');
      return FLASH.removedOne(email);
    });
  });

  /** Runs a change at Zoom and answers 303 to / with its outcome as a one-time message. */
  async function act(
    req: Request,
    res: Response,
    user: SessionUser,
    action: ZoomAction,
    run: () => Promise<string>,
  ): Promise<void> {
    try {
      const text = await run();
      req.session.flash = { kind: 'success', text };
    } catch (err) {
      if (await grantGone(req, res, user, err)) return;
      const failure = describeZoomFailure(err, action);
      if (!failure) throw err;
      logger.warn(
        { userId: user.id, err: err instanceof Error ? err.message : 'unknown' },
        `${action} failed`,
      );
      req.session.flash = { kind: 'error', text: failure.text };
    }
    res.redirect(303, '/');
  }

  /**
   * The session's grant is over: it ended (a deauthorization, a disconnect, a re-install
   * elsewhere) or Zoom refused it (then everything kept for the user is already erased). The
   * session goes too; true when the answer has been sent.
   */
  async function grantGone(
    req: Request,
    res: Response,
    user: SessionUser,
    err: unknown,
  ): Promise<boolean> {
    if (!(err instanceof GrantEndedError || err instanceof ReconnectRequiredError)) return false;
    const sessionId = req.sessionID;
    await destroySession(req);
    await sessionIndex.unregister(user.id, sessionId);
    if (err instanceof ReconnectRequiredError) {
      logger.warn({ userId: user.id }, 'grant refused by Zoom; signed out');
      renderReconnect(res);
    } else if (req.method === 'GET') {
      renderLanding(res, { notice: 'access-ended' });
    } else {
      res.redirect(303, '/?notice=access-ended');
    }
    return true;
  }

  return router;
}

/** The landing page's one-line notice, from a fixed set (never text from the URL). */
function noticeOf(req: Request): LandingNotice | undefined {
  const v: unknown = req.query.notice;
  return typeof v === 'string' && isLandingNotice(v) ? v : undefined;
}

function signedInUser(req: Request, res: Response): SessionUser | null {
  const user = req.session.user;
  if (user) return user;
  renderMessage(res, 401, PAGES.signedOutAction);
  return null;
}

/** The count the page showed, for the message only; anything odd means "all". */
export function parseCount(v: string | undefined): number | null {
  if (v === undefined || !/^\d{1,2}$/.test(v)) return null;
  const n = Number(v);
  return n <= MAX_ASSISTANTS ? n : null;
}

/** The email the page showed, for the message only. */
export function parseEmail(v: string | undefined): string | null {
  if (v === undefined || v.length > 254 || !/^[^\s@<>]+@[^\s@<>]+$/.test(v)) return null;
  return v;
}
