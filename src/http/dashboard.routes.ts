import { Router, type Request } from 'express';
import type { UseCases } from '../compose';
import type { ActionName } from '../zoom/actions/action';
import { actionNamed } from '../zoom/actions/catalog';
import { isRemoval } from '../zoom/ledger';
import { MAX_LISTED, type Listing } from '../zoom/use-cases/view-dashboard';
import { FLASH, PAGE, PAGES, VIEW, type LandingNotice } from './copy';
import type { CsrfGuard } from './csrf';
import { failureMessage, type FailureMessage } from './failures';
import { signOutEndedGrant, type UnregisterSession } from './grant-ended';
import {
  isLandingNotice,
  renderDashboard,
  renderLanding,
  renderMessage,
  newIntent,
  renderMisconfigured,
  undoCount,
  MAX_UNDOS,
  type EndForm,
  type PeopleList,
} from './pages';
import { historyCsv, historyEntry, historyPage, undoable } from './history';
import { grantOf } from './session';
import { endWords, shortDay, zoneName } from './when';
import { usableZone, wallClockIn, type AssistantEnd } from '../zoom/ends';

/** GET /: the landing page, or the signed-in user's dashboard; GET /goodbye after a disconnect. */
export function dashboardRoutes(
  useCases: Pick<UseCases, 'viewDashboard' | 'exportHistory'>,
  unregister: UnregisterSession,
  csrf: CsrfGuard,
): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const user = req.session.user;
    if (!user) return renderLanding(res, { notice: noticeOf(req) });

    const flash = req.session.flash;
    if (flash) req.session.flash = undefined;
    const csrfToken = csrf.tokenFor(req);
    res.set('Cache-Control', 'no-store');

    const now = Date.now();
    const view = await useCases.viewDashboard(grantOf(user), now);
    if (view.kind === 'grant_ended') return signOutEndedGrant(req, res, unregister, view.reconnect);
    if (view.kind === 'misconfigured') return renderMisconfigured(res);
    const assistants = shown(view.assistants);
    const schedulers = shown(view.schedulers);
    const failure = assistants.failure;
    if (failure?.retryAfterSeconds) res.set('Retry-After', String(failure.retryAfterSeconds));
    const entries = view.history;
    const removals = entries?.filter(isRemoval) ?? null;
    const page = entries ? historyPage(entries.length, req.query.history) : null;
    const flashRemoval = flash?.undo ? removals?.find((r) => r.id === flash.undo) : undefined;
    const timeZone = view.profile?.timezone ?? null;
    const zone = usableZone(timeZone);
    const ends = view.ends ?? [];
    const today = wallClockIn(now, zone).date;
    const days = new Map<number, string>(); // most share one day: formatting is the cost
    const dayOf = (at: number): string => {
      const day = days.get(at) ?? shortDay(at, now, timeZone);
      days.set(at, day);
      return day;
    };
    const since = (id: string): string | null => {
      const at = view.since.get(id);
      if (at === undefined) return null;
      if (at !== null) return VIEW.history.since(dayOf(at));
      return view.knownSince === null ? null : VIEW.history.before(dayOf(view.knownSince));
    };
    renderDashboard(res, failure?.status ?? 200, {
      user,
      profile: view.profile,
      csrfToken,
      flash,
      flashUndoLabel: flash?.undo
        ? FLASH.undoLabel(flashRemoval?.assistants.map((a) => a.email) ?? [])
        : null,
      assistants: assistants.people
        ? assistantsList(assistants.people, view.lacking, since, (p) =>
            endForm(p, ends, now, zone, today),
          )
        : null,
      add: assistants.people
        ? {
            intent: newIntent(),
            needsPermission: view.lacking.includes('add-assistant')
              ? VIEW.dashboard.needsPermission
              : null,
            legend: VIEW.ends.endLegend(zoneName(zone)),
            minDate: today,
          }
        : null,
      upcoming: ends.map((e) => ({
        email: e.email,
        until: VIEW.ends.until(endWords(e.at, now, zone)),
        overdue: overdueOf(e),
      })),
      endsLost: ends.map((e) => e.email),
      loadError: failure?.text,
      reconnect: failure?.reconnect === true,
      schedulers: schedulers.people ? schedulersList(schedulers.people, view.lacking, since) : null,
      schedulersError: schedulers.failure?.reconnect ? null : (schedulers.failure?.text ?? null),
      schedulersNeedScope: schedulers.failure?.reconnect === true,
      history:
        entries && page
          ? entries.slice(page.from, page.to).map((e) => historyEntry(e, now, timeZone))
          : null,
      historyPages: page?.links ?? null,
      undos: Math.min(removals?.filter((r) => undoable(r, now)).length ?? 0, MAX_UNDOS),
    });
  });

  router.get('/history.csv', async (req, res) => {
    const user = req.session.user;
    if (!user) return res.redirect(303, '/');
    res.set('Cache-Control', 'no-store');
    const found = await useCases.exportHistory(grantOf(user), Date.now());
    if (found.kind === 'grant_ended') return signOutEndedGrant(req, res, unregister, true);
    res.attachment(VIEW.historyCsv.filename);
    res.type('text/csv; charset=utf-8').send(historyCsv(found.entries));
  });

  router.get('/goodbye', (req, res) => {
    res.set('Cache-Control', 'no-store');
    renderMessage(
      res,
      200,
      PAGE.disconnected(req.query.revoked !== '0', undoCount(req.query.undos)),
    );
  });

  // A refused form's page, reached by a redirect: reloading it posts nothing again.
  router.get('/form-expired', (req, res) => {
    res.set('Cache-Control', 'no-store');
    renderMessage(res, 403, req.session.user ? PAGES.formExpired : PAGES.formExpiredSignedOut);
  });

  return router;
}

function shown<T>(listing: Listing<T>): { people?: readonly T[]; failure?: FailureMessage } {
  return listing.ok
    ? { people: listing.people }
    : { failure: failureMessage(listing.failure, 'list') };
}

type Shown = { readonly id: string; readonly email: string };

/** The path of an action's form, its person's id in place of `:id`. */
function pathOf(name: ActionName, id?: string): string {
  const route = actionNamed(name).route;
  return id === undefined ? route : route.replace(':id', encodeURIComponent(id));
}

/** "since 3 Dec" beside someone listed, when the app knows. */
type SinceOf = (id: string) => string | null;

/** An assistant's end form: their end in words and in the inputs, in the user's zone. */
function endForm(
  p: Shown,
  ends: readonly AssistantEnd[],
  now: number,
  zone: string,
  today: string,
): EndForm {
  const t = VIEW.ends;
  const end = ends.find((e) => e.assistantId === p.id);
  const wall = end ? wallClockIn(end.at, zone) : { date: '', time: '' };
  return {
    action: pathOf('set-end', p.id),
    intent: newIntent(),
    until: end ? t.until(endWords(end.at, now, zone)) : null,
    overdue: end ? overdueOf(end) : null,
    date: wall.date,
    time: wall.time,
    minDate: today,
    legend: t.rowLegend(zoneName(zone)),
    open: end ? t.changeEnd : t.setEnd,
    saveLabel: t.saveLabel(p.email),
    cancelLabel: t.cancelLabel(p.email),
  };
}

/** Why an end that is due has not happened yet, in words; null while it is not overdue. */
function overdueOf(end: AssistantEnd): string | null {
  return end.failed ? VIEW.ends.overdue(VIEW.ends.failures[end.failed.reason]) : null;
}

function assistantsList(
  people: readonly Shown[],
  lacking: readonly ActionName[],
  since: SinceOf,
  endOf: (p: Shown) => EndForm,
): PeopleList {
  const t = VIEW.dashboard;
  const n = people.length;
  const full = n >= MAX_LISTED;
  return {
    rows: people.map((p) => ({
      email: p.email,
      since: since(p.id),
      end: endOf(p),
      action: pathOf('remove-assistant', p.id),
      asksFirst: false,
      intent: newIntent(),
      label: t.removeLabel(p.email),
    })),
    button: t.remove,
    needsPermission: lacking.includes('remove-assistant') ? t.needsPermission : null,
    more: full ? t.more(n) : null,
    // With one assistant, their own button is the whole story.
    all:
      n < 2
        ? null
        : {
            action: pathOf('remove-all-assistants'),
            intent: newIntent(),
            shown: people.map((p) => p.id).join(','),
            level: 2,
            heading: t.clearHeading,
            hints: [t.clearHint, ...(full ? [t.clearHintMore] : [])],
            confirm: t.clearConfirm(n),
            button: t.clearButton(n),
          },
  };
}

function schedulersList(
  people: readonly Shown[],
  lacking: readonly ActionName[],
  since: SinceOf,
): PeopleList {
  const t = VIEW.schedulers;
  const full = people.length >= MAX_LISTED;
  return {
    rows: people.map((p) => ({
      email: p.email,
      since: since(p.id),
      action: pathOf('step-down', p.id),
      asksFirst: true,
      intent: newIntent(),
      label: t.stepDownLabel(p.email),
    })),
    button: t.stepDown,
    needsPermission: lacking.includes('step-down') ? VIEW.dashboard.needsPermission : null,
    more: full ? VIEW.dashboard.more(people.length) : null,
    all:
      people.length < 2
        ? null
        : {
            action: pathOf('step-down-all'),
            intent: newIntent(),
            shown: people.map((p) => p.id).join(','),
            level: 3,
            heading: t.allHeading,
            hints: full ? [t.allHintMore] : [],
            confirm: t.allConfirm(
              people.map((p) => p.email),
              full,
            ),
            button: t.allButton,
          },
  };
}

/** The landing page's one-line notice, from a fixed set (never text from the URL). */
function noticeOf(req: Request): LandingNotice | undefined {
  const v: unknown = req.query.notice;
  return typeof v === 'string' && isLandingNotice(v) ? v : undefined;
}
