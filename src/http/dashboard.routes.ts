import { Router, type Request } from 'express';
import type { Services } from '../compose';
import { isZoomApiError } from '../zoom/errors';
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

    // Both of Zoom's lists and the history at once: the page waits for the slowest only.
    // One token for both calls; a 401 on either refreshes once and runs both again.
    const now = Date.now();
    const [lists, removals] = await Promise.allSettled([
      tokens.withAccessToken(grantOf(user), async (t) => {
        const both = await Promise.allSettled([
          zoomApi.listAssistants(t),
          zoomApi.listSchedulers(t),
        ]);
        for (const r of both) {
          if (r.status === 'rejected' && isZoomApiError(r.reason, 'unauthorized')) throw r.reason;
        }
        return both;
      }),
      history.list(user.id, now),
    ]);
    if (lists.status === 'rejected') {
      // Nothing from Zoom at all: the grant, the refresh or storage failed.
      if (await actions.grantGone(req, res, user, lists.reason)) return;
      const failure = describeZoomFailure(lists.reason, 'list');
      if (!failure) throw lists.reason;
      if (failure.status === 503) return renderMisconfigured(res);
    }
    const [listed, scheduling] = lists.status === 'fulfilled' ? lists.value : [lists, lists];
    const assistants = outcomeOf(listed);
    const schedulers = outcomeOf(scheduling);
    const failure = assistants.failure;
    if (failure?.retryAfterSeconds) res.set('Retry-After', String(failure.retryAfterSeconds));
    renderDashboard(res, failure?.status ?? 200, {
      user,
      csrfToken,
      flash,
      assistants: assistants.value?.map((a) => ({ id: a.id, email: a.email })) ?? null,
      loadError: failure?.text,
      reconnect: failure?.reconnect === true,
      schedulers: schedulers.value ?? null,
      schedulersError: schedulers.failure?.reconnect ? null : (schedulers.failure?.text ?? null),
      schedulersNeedScope: schedulers.failure?.reconnect === true,
      history:
        removals.status === 'fulfilled'
          ? removals.value.map((r) => historyEntry(r, now, user.timezone))
          : null,
    });
  });

  return router;
}

/** One of Zoom's answers, or why there is none in words (null when it is not Zoom's). */
function outcomeOf<T>(r: PromiseSettledResult<T>): { value?: T; failure?: FailureMessage } {
  if (r.status === 'fulfilled') return { value: r.value };
  const failure = describeZoomFailure(r.reason, 'list');
  if (!failure) throw r.reason;
  return { failure };
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
