import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import {
  LANDING_NOTICES,
  PAGES,
  APP_NAME,
  VIEW,
  titleOf,
  type ConfirmCopy,
  type LandingNotice,
  type MessageCopy,
} from './copy';
import type { ActionName } from '../zoom/actions/action';
import type { Profile } from '../zoom/grant';
import type { PublicDocument } from './documents';
import type { DashboardSection, Flash, SessionUser } from './session';

/**
 * Typed page rendering: each view gets exactly the fields its template reads, and the words
 * of the catalog (copy.ts). Templates escape everything they print (Eta autoEscape), so no
 * value here needs escaping first.
 */

interface Layout {
  /** Shown in the header's sign-out form when someone is signed in. */
  user?: SessionUser;
  csrfToken?: string;
}

/** One removal in the History section. */
export interface HistoryEntry {
  readonly id: string;
  readonly when: string;
  /** For a change made elsewhere: between the app's last look and the one that noticed it. */
  readonly between: string | null;
  readonly summary: string;
  readonly emails: readonly string[];
  /** "Undone …" once undone. */
  readonly undone: string | null;
  /** Its Undo button, while it can be undone. */
  readonly undo: { readonly label: string } | null;
}

/** Where the History section is in its pages: links to newer and older entries. */
export interface HistoryPages {
  readonly showing: string;
  readonly newer: string | null;
  readonly older: string | null;
}

/** One person of a list, with the form that acts on them. */
export interface PersonRow {
  readonly email: string;
  /** "since 3 Dec", "before 1 Dec": since when the app knows of them. */
  readonly since: string | null;
  /** Where its form posts; or, for an action that asks first, the page that asks. */
  readonly action: string;
  readonly asksFirst: boolean;
  readonly intent: string;
  /** The button's accessible name: says whom it acts on. */
  readonly label: string;
  /** An assistant's end and its forms (assistants only). */
  readonly end?: EndForm;
}

/** An assistant's end on their row: what it is, a form to set or change it, one to cancel it. */
export interface EndForm {
  readonly action: string;
  readonly intent: string;
  /** "until Fri 12 Dec, 18:00 (London time)"; null when they have no end. */
  readonly until: string | null;
  readonly overdue: string | null;
  /** The inputs' values: the end's, or empty. */
  readonly date: string;
  readonly time: string;
  /** The earliest date the date input offers (today in the user's zone). */
  readonly minDate: string;
  readonly legend: string;
  readonly open: string;
  readonly saveLabel: string;
  readonly cancelLabel: string;
}

/** The add form: its one-time id, and the zone its date and time are read in. */
export interface AddForm {
  readonly intent: string;
  /** The grant lacks the permission to add: said before the click. */
  readonly needsPermission: string | null;
  readonly legend: string;
  readonly minDate: string;
}

/** An end the dashboard lists as upcoming (or overdue, with why). */
export interface UpcomingEnd {
  readonly email: string;
  readonly until: string;
  readonly overdue: string | null;
}

/** A list of people with a button each and, when there are several, one for all. */
export interface PeopleList {
  readonly rows: readonly PersonRow[];
  readonly button: string;
  /** The grant lacks the permission for these buttons: said before the click. */
  readonly needsPermission: string | null;
  /** Zoom's list is full (30): there may be more than shown. */
  readonly more: string | null;
  readonly all: {
    readonly action: string;
    readonly intent: string;
    /** The ids the page shows: the action goes ahead only if Zoom's list is still that. */
    readonly shown: string;
    readonly level: 2 | 3;
    readonly heading: string;
    readonly hints: readonly string[];
    readonly confirm: string;
    readonly button: string;
  } | null;
}

export interface DashboardPage extends Layout {
  user: SessionUser;
  /** From the grant; null when it could not be read (the page then names nobody). */
  profile: Profile | null;
  csrfToken: string;
  flash?: Flash;
  /** The accessible name of the message's Undo, naming whom it puts back. */
  flashUndoLabel: string | null;
  assistants: PeopleList | null;
  loadError?: string;
  /** Offer a new authorization (a missing scope). */
  reconnect?: boolean;
  /** One page of it, newest first; null when it could not be read. */
  history: HistoryEntry[] | null;
  historyPages: HistoryPages | null;
  /** The removals the history still offers to undo: the disconnect form says it deletes them. */
  undos: number;
  /** The add form; null when the list could not be read. */
  add: AddForm | null;
  upcoming: UpcomingEnd[];
  /** The emails whose ends a disconnect would cancel. */
  endsLost: string[];
  /** Whom the user schedules for; null when Zoom's list could not be had. */
  schedulers: PeopleList | null;
  schedulersError: string | null;
  /** The grant lacks the scopes for it: offer to grant access. */
  schedulersNeedScope: boolean;
}

export interface LandingPage extends Layout {
  notice?: LandingNotice;
}

export function isLandingNotice(v: string): v is LandingNotice {
  return Object.prototype.hasOwnProperty.call(LANDING_NOTICES, v);
}

export function renderMessage(
  res: Response,
  status: number,
  page: MessageCopy,
  layout: Layout = {},
): void {
  res.status(status).render('message', {
    ...layout,
    ...page,
    title: titleOf(page.heading),
    copy: VIEW,
  });
}

export function renderDashboard(res: Response, status: number, page: DashboardPage): void {
  res.status(status).render('dashboard', {
    ...page,
    flashIn: page.flash?.section ?? 'assistants',
    // The title is what a screen reader reads first on the page that follows an action.
    title: titleOf(VIEW.dashboard.heading, page.flash?.text),
    copy: VIEW,
  });
}

/** The dashboard section an action's outcome is shown in: the one its button was in. */
export function sectionOf(action: ActionName): DashboardSection {
  return action === 'step-down' || action === 'step-down-all' ? 'schedulers' : 'assistants';
}

/** Where the dashboard's redirect lands: the section acted on, its message in view. */
export function dashboardAt(section: DashboardSection): string {
  return `/#${section}`;
}

/** The most removals the goodbye page names (a form field: clamped, never trusted further). */
export const MAX_UNDOS = 999;

/** Undos a form says the history held: a whole number in 0..999, else 0. */
export function undoCount(raw: unknown): number {
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : 0;
  return Math.min(n, MAX_UNDOS);
}

/** The page after a disconnect: whether Zoom revoked, how many Undos went with the history. */
export function goodbyeUrl(revokedAtZoom: boolean, undos: unknown): string {
  return `/goodbye?revoked=${revokedAtZoom ? '1' : '0'}&undos=${undoCount(undos)}`;
}

export function renderLanding(res: Response, page: LandingPage = {}): void {
  res.status(200).render('landing', {
    ...page,
    title: APP_NAME,
    // The home page: where Zoom's domain check looks for its meta tag.
    home: true,
    noticeText: page.notice ? LANDING_NOTICES[page.notice] : undefined,
    copy: VIEW,
  });
}

// A page asks for a dozen ids: one read of the system's randomness serves 64 of them.
const INTENTS_PER_READ = 64;
let intentPool = Buffer.alloc(0);
let intentAt = 0;

/** A form's one-time id: a second submit of the same form gets the first one's outcome. */
export function newIntent(): string {
  if (intentAt + 16 > intentPool.length) {
    intentPool = randomBytes(16 * INTENTS_PER_READ);
    intentAt = 0;
  }
  intentAt += 16;
  return intentPool.subarray(intentAt - 16, intentAt).toString('base64url');
}

export interface ConfirmForm {
  /** Where the confirmed form posts. */
  readonly action: string;
  readonly csrfToken: string;
  readonly email: string | null;
  readonly intent: string;
}

/** The page that asks before an action that cannot be undone here. */
export function renderConfirm(res: Response, page: ConfirmCopy, form: ConfirmForm): void {
  res.set('Cache-Control', 'no-store');
  res.status(200).render('confirm', { ...page, form, title: titleOf(page.heading), copy: VIEW });
}

/** /privacy, /terms, /support, /help. */
export function renderDocument(res: Response, doc: PublicDocument): void {
  res.status(200).render('document', { doc, title: titleOf(doc.heading), copy: VIEW });
}

/** Zoom refused the app's own credentials: only the operator can mend it. */
export function renderMisconfigured(res: Response): void {
  res.set('Retry-After', '60');
  renderMessage(res, 503, PAGES.misconfigured);
}

export function renderReconnect(res: Response): void {
  renderMessage(res, 401, PAGES.reconnect);
}
