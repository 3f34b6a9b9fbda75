import session from 'express-session';
import type { RequestHandler, Request } from 'express';
import type { PendingAuthorization } from '../zoom/authorization';
import type { GrantRef } from '../zoom/grant';
import { RedisSessionStore, type Sealer, type SessionRecords } from './session-store';

/**
 * What a session holds: who is signed in, as ids only (the name, email and time zone are in the
 * sealed grant), pending OAuth round trips, a message (sealed when stored).
 */
export interface SessionUser {
  readonly id: string;
  /** The grant this session signed in with: when it ends, so does the session. */
  readonly grantId: string;
}

export function grantOf(user: SessionUser): GrantRef {
  return { userId: user.id, grantId: user.grantId };
}

/** A one-time message on the dashboard after an action. */
export interface Flash {
  readonly kind: 'success' | 'info' | 'error';
  readonly text: string;
  /** More sentences (one per person an undo could not put back). */
  readonly details?: readonly string[];
  /** The removal this message is about: the message offers its Undo. */
  readonly undo?: string;
  /** Only a new authorization helps: the message offers one. */
  readonly reconnect?: boolean;
  /** The dashboard section acted on: the message appears there. */
  readonly section?: DashboardSection;
}

export type DashboardSection = 'assistants' | 'schedulers';

declare module 'express-session' {
  interface SessionData {
    user?: SessionUser;
    pendingAuth?: PendingAuthorization[];
    flash?: Flash;
    /** Epoch ms of the last request, written at most every few minutes (idle timeout). */
    seenAt?: number;
  }
}

export interface SessionSettings {
  readonly secret: string;
  readonly secureCookies: boolean;
  readonly absoluteLifetimeMs: number;
  readonly idleTimeoutMs: number;
}

export const SESSION_COOKIE = 'zar.sid';

/**
 * Sessions live in Redis so any process can serve any request. The cookie's life is absolute
 * (rolling off) and the store is never "touched", so a warm request reads the session once and
 * writes nothing; idle expiry is tracked in the session itself, written at most once every
 * few minutes.
 */
export function sessionMiddleware(
  records: SessionRecords,
  settings: SessionSettings,
  isCurrentGrant: (ref: GrantRef) => Promise<boolean>,
  sealer: Sealer,
): RequestHandler {
  const store = new RedisSessionStore(records, isCurrentGrant, sealer);
  return session({
    name: SESSION_COOKIE,
    secret: settings.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    // Not 'destroy': after a failed store read req.session is unset, and express-session would
    // then delete the session (and hold the answer until Redis replied to that DEL).
    unset: 'keep',
    // No `proxy`: "is this https?" is req.secure, which believes X-Forwarded-Proto only as far
    // as the app's 'trust proxy' (TRUST_PROXY) does.
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: settings.secureCookies,
      maxAge: settings.absoluteLifetimeMs,
      path: '/',
    },
  });
}

const SEEN_AT_RESOLUTION_MS = 5 * 60 * 1000;

/** Ends a session idle for longer than the idle timeout. */
export function idleTimeout(
  idleTimeoutMs: number,
  onEnded: (userId: string, sessionId: string) => Promise<void>,
  now: () => number = Date.now,
): RequestHandler {
  return (req, _res, next) => {
    const s = req.session;
    if (!s?.user) return next();
    const t = now();
    if (s.seenAt !== undefined && t - s.seenAt > idleTimeoutMs) {
      const { id: userId } = s.user;
      const sessionId = req.sessionID;
      // Regenerate, not destroy: the request goes on with a fresh, empty (signed-out) session.
      s.regenerate((err) => {
        if (err) return next(err);
        onEnded(userId, sessionId).then(() => next(), next);
      });
      return;
    }
    if (s.seenAt === undefined || t - s.seenAt > SEEN_AT_RESOLUTION_MS) s.seenAt = t;
    next();
  };
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.save((err) => (err ? reject(toError(err)) : resolve())),
  );
}

export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.regenerate((err) => (err ? reject(toError(err)) : resolve())),
  );
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!req.session) return resolve();
    req.session.destroy((err) => (err ? reject(toError(err)) : resolve()));
  });
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
