import { Router, type Request } from 'express';
import type { UseCases } from '../compose';
import type { ActionName } from '../zoom/actions/action';
import { actionNamed } from '../zoom/actions/catalog';
import { MAX_LISTED, type Listing } from '../zoom/use-cases/view-dashboard';
import type { Removal } from '../zoom/removals';
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
  type HistoryEntry,
  type HistoryPages,
  type PeopleList,
} from './pages';
import { grantOf } from './session';
import { describeTime, endWords, zoneName } from './when';
import { usableZone, wallClockIn, type AssistantEnd } from '../zoom/ends';

/** GET /: the landing page, or the signed-in user's dashboard; GET /goodbye after a disconnect. */
export function dashboardRoutes(
  viewDashboard: UseCases['viewDashboard'],
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
    const view = await viewDashboard(grantOf(user), now);
    if (view.kind === 'grant_ended') return signOutEndedGrant(req, res, unregister, view.reconnect);
    if (view.kind === 'misconfigured') return renderMisconfigured(res);
    const assistants = shown(view.assistants);
    const schedulers = shown(view.schedulers);
    const failure = assistants.failure;
    if (failure?.retryAfterSeconds) res.set('Retry-After', String(failure.retryAfterSeconds));
    const removals = view.history;
    const page = removals ? historyPage(removals.length, req.query.history) : null;
    const flashRemoval = flash?.undo ? removals?.find((r) => r.id === flash.undo) : undefined;
    const zone = usableZone(view.profile?.timezone);
    const ends = view.ends ?? [];
    const today = wallClockIn(now, zone).date;
    renderDashboard(res, failure?.status ?? 200, {
      user,
      profile: view.profile,
      csrfToken,
      flash,
      flashUndoLabel: flash?.undo
        ? FLASH.undoLabel(flashRemoval?.assistants.map((a) => a.email) ?? [])
        : null,
      assistants: assistants.people
        ? assistantsList(assistants.people, view.lacking, (p) => endForm(p, ends, now, zone, today))
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
      schedulers: schedulers.people ? schedulersList(schedulers.people, view.lacking) : null,
      schedulersError: schedulers.failure?.reconnect ? null : (schedulers.failure?.text ?? null),
      schedulersNeedScope: schedulers.failure?.reconnect === true,
      history:
        removals && page
          ? removals
              .slice(page.from, page.to)
              .map((r) => historyEntry(r, now, view.profile?.timezone ?? null))
          : null,
      historyPages: page?.links ?? null,
      undos: Math.min(removals?.filter((r) => r.undo.state !== 'done').length ?? 0, MAX_UNDOS),
    });
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

/** The History section shows this many removals a page, newest first. */
export const HISTORY_PAGE_SIZE = 10;

/** Which removals `?history=N` shows (a page past the end shows the last one), and its links. */
function historyPage(
  total: number,
  requested: unknown,
): { from: number; to: number; links: HistoryPages | null } {
  const pages = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  const asked =
    typeof requested === 'string' && /^\d{1,4}$/.test(requested) ? Number(requested) : 1;
  const n = Math.min(Math.max(asked, 1), pages);
  const from = (n - 1) * HISTORY_PAGE_SIZE;
  const to = Math.min(from + HISTORY_PAGE_SIZE, total);
  const at = (p: number): string => (p === 1 ? '/#history' : `/?history=${p}#history`);
  return {
    from,
    to,
    links:
      pages === 1
        ? null
        : {
            showing: VIEW.history.showing(from + 1, to, total),
            newer: n > 1 ? at(n - 1) : null,
            older: n < pages ? at(n + 1) : null,
          },
  };
}

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
  endOf: (p: Shown) => EndForm,
): PeopleList {
  const t = VIEW.dashboard;
  const n = people.length;
  const full = n >= MAX_LISTED;
  return {
    rows: people.map((p) => ({
      email: p.email,
      action: pathOf('remove-assistant', p.id),
      asksFirst: false,
      intent: newIntent(),
      label: t.removeLabel(p.email),
      end: endOf(p),
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

function schedulersList(people: readonly Shown[], lacking: readonly ActionName[]): PeopleList {
  const t = VIEW.schedulers;
  const full = people.length >= MAX_LISTED;
  return {
    rows: people.map((p) => ({
      email: p.email,
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

/** A removal as the History section shows it. */
export function historyEntry(removal: Removal, now: number, timeZone: string | null): HistoryEntry {
  const when = describeTime(removal.at, now, timeZone);
  const undo = removal.undo;
  return {
    id: removal.id,
    when,
    summary: (removal.cause === 'end' ? VIEW.history.ended : VIEW.history.removed)(
      removal.assistants.length,
    ),
    emails: removal.assistants.map((a) => a.email),
    undone:
      undo.state === 'done' ? VIEW.history.undone(describeTime(undo.at, now, timeZone)) : null,
    undoLabel: VIEW.history.undoLabel(
      removal.assistants.map((a) => a.email),
      when,
    ),
  };
}

/** The landing page's one-line notice, from a fixed set (never text from the URL). */
function noticeOf(req: Request): LandingNotice | undefined {
  const v: unknown = req.query.notice;
  return typeof v === 'string' && isLandingNotice(v) ? v : undefined;
}
