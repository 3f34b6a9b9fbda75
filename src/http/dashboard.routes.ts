import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Services } from '../compose';
import { ASSISTANT_ID_PATTERN, type Assistant } from '../zoom/api';
import { ReconnectRequiredError } from '../zoom/token-manager';
import { describeZoomFailure, removedMessage, type ZoomAction } from './messages';
import { renderDashboard, renderLanding, renderMessage, renderReconnect } from './pages';
import { destroySession, type SessionUser } from './session';
import type { CsrfGuard } from './csrf';
import { formBody, formField } from './forms';

const MAX_ASSISTANTS = 30; // Zoom's list maximum

export function dashboardRoutes(
  services: Services,
  csrf: CsrfGuard,
  actionLimit: RequestHandler,
): Router {
  const { tokens, zoomApi, logger, userData } = services;
  const router = Router();

  router.get('/', async (req, res) => {
    const user = req.session.user;
    if (!user) return renderLanding(res, { title: 'Assistant Remover for Zoom' });

    const flash = req.session.flash;
    if (flash) req.session.flash = undefined;
    const csrfToken = csrf.tokenFor(req);
    res.set('Cache-Control', 'no-store');

    let assistants: Assistant[];
    try {
      assistants = await tokens.withAccessToken(user.id, (t) => zoomApi.listAssistants(t));
    } catch (err) {
      if (err instanceof ReconnectRequiredError) return reconnect(req, res, user, err);
      const failure = describeZoomFailure(err, 'list');
      if (!failure) throw err;
      if (failure.retryAfterSeconds) res.set('Retry-After', String(failure.retryAfterSeconds));
      return renderDashboard(res, failure.status, {
        title: 'Your assistants — Assistant Remover',
        user,
        csrfToken,
        flash,
        assistants: null,
        loadError: failure.text,
      });
    }
    renderDashboard(res, 200, {
      title: 'Your assistants — Assistant Remover',
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
        text: 'Nothing was removed: tick the box to confirm that you want to remove all assistants.',
      };
      return res.redirect(303, '/');
    }
    const count = parseCount(formField(req, 'count'));
    await act(req, res, user, 'clear', async () => {
      await tokens.withAccessToken(user.id, (t) => zoomApi.deleteAllAssistants(t));
      logger.info({ userId: user.id, count }, 'assistants cleared');
      return removedMessage(count);
    });
  });

  router.post('/assistants/:id/remove', formBody, csrf.protect, actionLimit, async (req, res) => {
    const user = signedInUser(req, res);
    if (!user) return;
    const id = req.params.id;
    if (typeof id !== 'string' || !ASSISTANT_ID_PATTERN.test(id)) {
      return renderMessage(res, 400, {
        title: 'Not an assistant — Assistant Remover',
        heading: 'That is not an assistant',
        paragraphs: ['The address does not name an assistant. Nothing was changed.'],
        action: { href: '/', label: 'Back to your assistants' },
        tone: 'error',
      });
    }
    const email = parseEmail(formField(req, 'email'));
    await act(req, res, user, 'remove', async () => {
      await tokens.withAccessToken(user.id, (t) => zoomApi.deleteAssistant(t, id));
      logger.info({ userId: user.id }, 'assistant removed');
      return email ? `Removed ${email}.` : 'Removed the assistant.';
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
      if (err instanceof ReconnectRequiredError) return reconnect(req, res, user, err);
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
   * No usable grant. A grant Zoom refused is gone for every device: end all the user's
   * sessions. A missing record ends this session only.
   */
  async function reconnect(
    req: Request,
    res: Response,
    user: SessionUser,
    err: ReconnectRequiredError,
  ): Promise<void> {
    const sessionId = req.sessionID;
    await destroySession(req);
    if (err.reason === 'grant_revoked') {
      const sessions = await userData.endAllSessions(user.id);
      logger.warn({ userId: user.id, sessions }, 'grant revoked; all sessions ended');
    } else {
      await userData.unregisterSession(user.id, sessionId);
    }
    renderReconnect(res);
  }

  return router;
}

function signedInUser(req: Request, res: Response): SessionUser | null {
  const user = req.session.user;
  if (user) return user;
  renderMessage(res, 401, {
    title: 'Signed out — Assistant Remover',
    heading: 'You are signed out',
    paragraphs: ['Your session ended, so nothing was changed. Sign in and try again.'],
    action: { href: '/', label: 'Back to the start' },
    tone: 'warning',
  });
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
