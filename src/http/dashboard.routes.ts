import { Router, type Request } from 'express';
import type { Services } from '../compose';
import type { Assistant } from '../zoom/api';
import type { Removal } from '../zoom/removals';
import { VIEW, type LandingNotice } from './copy';
import type { CsrfGuard } from './csrf';
import { describeZoomFailure, type FailureMessage } from './failures';
import {
  isLandingNotice,
  renderDashboard,
  renderLanding,
  renderMisconfigured,
  type HistoryEntry,
} from './pages';
import { grantOf } from './session';
import { describeTime } from './when';
import type { ZoomActions } from './zoom-action';

/** GET /: the landing page, or the signed-in user's dashboard. */
export function dashboardRoutes(services: Services, csrf: CsrfGuard, actions: ZoomActions): Router {
  const { tokens, zoomApi, history } = services;
  const router = Router();

  router.get('/', async (req, res) => {
    const user = req.session.user;
    if (!user) return renderLanding(res, { notice: noticeOf(req) });

    const flash = req.session.flash;
    if (flash) req.session.flash = undefined;
    const csrfToken = csrf.tokenFor(req);
    res.set('Cache-Control', 'no-store');

    // Zoom and the history at once: the page waits for the slower, not for both.
    const now = Date.now();
    const [listed, removals] = await Promise.allSettled([
      tokens.withAccessToken(grantOf(user), (t) => zoomApi.listAssistants(t)),
      history.list(user.id, now),
    ]);
    let assistants: Assistant[] | null = null;
    let failure: FailureMessage | null = null;
    if (listed.status === 'fulfilled') {
      assistants = listed.value;
    } else {
      if (await actions.grantGone(req, res, user, listed.reason)) return;
      failure = describeZoomFailure(listed.reason, 'list');
      if (!failure) throw listed.reason;
      if (failure.status === 503) return renderMisconfigured(res);
      if (failure.retryAfterSeconds) res.set('Retry-After', String(failure.retryAfterSeconds));
    }
    renderDashboard(res, failure?.status ?? 200, {
      user,
      csrfToken,
      flash,
      assistants: assistants?.map((a) => ({ id: a.id, email: a.email })) ?? null,
      loadError: failure?.text,
      reconnect: failure?.reconnect === true,
      history:
        removals.status === 'fulfilled'
          ? removals.value.map((r) => historyEntry(r, now, user.timezone))
          : null,
    });
  });

  return router;
}

/** A removal as the History section shows it. */
export function historyEntry(removal: Removal, now: number, timeZone: string | null): HistoryEntry {
  const when = describeTime(removal.at, now, timeZone);
  const undo = removal.undo;
  return {
    id: removal.id,
    when,
    summary: VIEW.history.removed(removal.assistants.length),
    emails: removal.assistants.map((a) => a.email),
    undone:
      undo.state === 'done' ? VIEW.history.undone(describeTime(undo.at, now, timeZone)) : null,
    undoLabel: VIEW.history.undoLabel(when),
  };
}

/** The landing page's one-line notice, from a fixed set (never text from the URL). */
function noticeOf(req: Request): LandingNotice | undefined {
  const v: unknown = req.query.notice;
  return typeof v === 'string' && isLandingNotice(v) ? v : undefined;
}
