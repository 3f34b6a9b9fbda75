import session, { type SessionData } from 'express-session';
import type { GrantRef } from '../zoom/grant';

type Callback = (err?: unknown, value?: SessionData | null) => void;

/** Where sessions are kept: one text value per session id, with a time to live (given by compose.ts). */
export interface SessionRecords {
  get(sid: string): Promise<string | null>;
  put(sid: string, value: string, ttlSeconds: number): Promise<void>;
  delete(sid: string): Promise<void>;
}

/** Seals text to where it belongs (the app's record cipher, given by compose.ts). */
export interface Sealer {
  seal(plaintext: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
}

/**
 * Nobody signed in: the session holds only pending sign-ins (10 minutes each), so it lives as
 * long as the latest of them, and never longer than this. Anyone can make one.
 */
export const ANONYMOUS_SESSION_MAX_SECONDS = 15 * 60;

/** The stored form: the one-time message (it may name people) sealed to its session. */
type StoredSession = Omit<SessionData, 'flash'> & { sealedFlash?: string };

const flashAssociatedData = (sid: string): string => `session-flash:${sid}`;

/**
 * express-session's store on Redis: one JSON value per session. A signed-in session lives as
 * long as its cookie; an anonymous one only as long as its pending sign-ins. Touch does
 * nothing (the cookie's life is absolute).
 *
 * A signed-in session is written only while its grant lives: after each write the grant is
 * looked up, and if it has ended (a deauthorization or a disconnect that arrived while the
 * request was in flight) the session just written is deleted at once. The write comes first,
 * so an ending that lands after the look-up has already found the session to delete.
 */
export class RedisSessionStore extends session.Store {
  constructor(
    private readonly records: SessionRecords,
    private readonly isCurrentGrant: (ref: GrantRef) => Promise<boolean>,
    private readonly sealer: Sealer,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  override get(sid: string, done: Callback): void {
    this.records.get(sid).then((text) => {
      if (text === null) return done(null, null);
      let stored: StoredSession;
      try {
        stored = JSON.parse(text) as StoredSession;
      } catch {
        return done(null, null); // unreadable: as if absent
      }
      done(null, this.opened(sid, stored));
    }, done);
  }

  override set(sid: string, data: SessionData, done?: (err?: unknown) => void): void {
    this.write(sid, data).then(
      () => done?.(),
      (err: unknown) => done?.(err),
    );
  }

  override destroy(sid: string, done?: (err?: unknown) => void): void {
    this.records.delete(sid).then(
      () => done?.(),
      (err: unknown) => done?.(err),
    );
  }

  override touch(_sid: string, _data: SessionData, done?: () => void): void {
    done?.();
  }

  private async write(sid: string, data: SessionData): Promise<void> {
    const ttlSeconds = this.ttlSecondsOf(data);
    if (ttlSeconds <= 0) {
      await this.records.delete(sid);
      return;
    }
    const { flash, ...rest } = data;
    const stored: StoredSession = flash
      ? { ...rest, sealedFlash: this.sealer.seal(JSON.stringify(flash), flashAssociatedData(sid)) }
      : rest;
    await this.records.put(sid, JSON.stringify(stored), ttlSeconds);
    const user = data.user;
    if (user && !(await this.isCurrentGrant({ userId: user.id, grantId: user.grantId }))) {
      await this.records.delete(sid);
    }
  }

  private ttlSecondsOf(data: SessionData): number {
    const now = this.now();
    const expires = data.cookie.expires ? new Date(data.cookie.expires).getTime() : null;
    const cookieSeconds = expires === null ? 86_400 : Math.ceil((expires - now) / 1000);
    if (data.user) return cookieSeconds;
    const pendingUntil = Math.max(0, ...(data.pendingAuth ?? []).map((p) => p.expiresAt));
    const anonymous =
      pendingUntil > 0
        ? Math.min(Math.ceil((pendingUntil - now) / 1000), ANONYMOUS_SESSION_MAX_SECONDS)
        : ANONYMOUS_SESSION_MAX_SECONDS;
    return Math.min(cookieSeconds, anonymous);
  }

  /** The session as the app uses it: the message opened, the user as ids only. */
  private opened(sid: string, stored: StoredSession): SessionData {
    const { sealedFlash, ...data } = stored;
    const session: SessionData = data;
    // A session written before names moved to the grant: only its ids are kept.
    if (data.user) session.user = { id: data.user.id, grantId: data.user.grantId };
    if (sealedFlash !== undefined) {
      try {
        session.flash = JSON.parse(
          this.sealer.open(sealedFlash, flashAssociatedData(sid)),
        ) as SessionData['flash'];
      } catch {
        // Sealed under a key no longer configured, or moved: the message is lost, not the page.
      }
    }
    return session;
  }
}
