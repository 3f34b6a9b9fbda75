import type { Response } from 'express';
import { MISCONFIGURED } from './messages';
import type { SessionUser, Flash } from './session';

/**
 * Typed page rendering: each view gets exactly the fields its template reads. Templates escape
 * everything they print (Eta autoEscape), so no value here needs escaping first.
 */

interface Layout {
  /** The <title>: says where the person is. */
  title: string;
  user?: SessionUser;
  csrfToken?: string;
}

export interface MessagePage extends Layout {
  heading: string;
  paragraphs: string[];
  action?: { href: string; label: string };
  /** A POST form button (e.g. sign out) instead of a link. */
  tone?: 'info' | 'warning' | 'error';
}

export interface DashboardPage extends Layout {
  user: SessionUser;
  csrfToken: string;
  flash?: Flash;
  assistants: { id: string; email: string }[] | null;
  loadError?: string;
  /** Offer a new authorization (a missing scope). */
  reconnect?: boolean;
}

/** A sentence shown above the landing page's pitch, after the app signed someone out. */
export const LANDING_NOTICES = {
  'access-ended':
    'You are signed out: the app’s access to your Zoom account has ended (it was removed in Zoom, disconnected, or added again elsewhere). Add it to Zoom to sign in again.',
} as const;
export type LandingNotice = keyof typeof LANDING_NOTICES;

export function isLandingNotice(v: string): v is LandingNotice {
  return Object.prototype.hasOwnProperty.call(LANDING_NOTICES, v);
}

export interface LandingPage extends Layout {
  notice?: LandingNotice;
}

export function renderMessage(res: Response, status: number, page: MessagePage): void {
  res.status(status).render('message', page);
}

export function renderDashboard(res: Response, status: number, page: DashboardPage): void {
  res.status(status).render('dashboard', page);
}

export function renderLanding(res: Response, page: LandingPage): void {
  const notice = page.notice ? LANDING_NOTICES[page.notice] : undefined;
  res.status(200).render('landing', { ...page, noticeText: notice });
}

/** Zoom refused the app's own credentials: only the operator can mend it. */
export function renderMisconfigured(res: Response): void {
  res.set('Retry-After', '60');
  renderMessage(res, 503, {
    title: 'Misconfigured — Assistant Remover',
    heading: 'The app is misconfigured',
    paragraphs: [MISCONFIGURED],
    action: { href: '/', label: 'Try again' },
    tone: 'error',
  });
}

export function renderReconnect(res: Response): void {
  renderMessage(res, 401, {
    title: 'Reconnect to Zoom',
    heading: 'Reconnect to Zoom',
    paragraphs: [
      'Zoom no longer accepts this app’s access to your account — the app may have been removed in Zoom, or its permission expired.',
      'Add the app to Zoom again to keep managing your assistants.',
    ],
    action: { href: '/install', label: 'Reconnect to Zoom' },
    tone: 'warning',
  });
}
