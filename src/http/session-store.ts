import session, { type SessionData } from 'express-session';
import type { RedisClient } from '../store/redis';
import type { GrantRef } from '../zoom/grant';

type Callback = (err?: unknown, value?: SessionData | null) => void;

/**
 * express-session's store on Redis: one JSON value per session, with the cookie's remaining
 * life as its TTL. Touch does nothing (the cookie's life is absolute).
 *
 * A signed-in session is written only while its grant lives: after each write the grant is
 * looked up, and if it has ended (a deauthorization or a disconnect that arrived while the
 * request was in flight) the session just written is deleted at once. The write comes first,
 * so an ending that lands after the look-up has already found the session to delete.
 */
export class RedisSessionStore extends session.Store {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly isCurrentGrant: (ref: GrantRef) => Promise<boolean>,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  override get(sid: string, done: Callback): void {
    this.redis.get(this.prefix + sid).then((text) => {
      if (text === null) return done(null, null);
      let data: SessionData;
      try {
        data = JSON.parse(text) as SessionData;
      } catch {
        return done(null, null); // unreadable: as if absent
      }
      done(null, data);
    }, done);
  }

  override set(sid: string, data: SessionData, done?: (err?: unknown) => void): void {
    this.write(sid, data).then(
      () => done?.(),
      (err: unknown) => done?.(err),
    );
  }

  override destroy(sid: string, done?: (err?: unknown) => void): void {
    this.redis.del(this.prefix + sid).then(
      () => done?.(),
      (err: unknown) => done?.(err),
    );
  }

  override touch(_sid: string, _data: SessionData, done?: () => void): void {
    done?.();
  }

  private async write(sid: string, data: SessionData): Promise<void> {
    const key = this.prefix + sid;
    const expires = data.cookie.expires ? new Date(data.cookie.expires).getTime() : null;
    const ttlSeconds = expires === null ? 86_400 : Math.ceil((expires - this.now()) / 1000);
    if (ttlSeconds <= 0) {
      await this.redis.del(key);
      return;
    }
    await this.redis.set(key, JSON.stringify(data), 'EX', ttlSeconds);
    const user = data.user;
    if (user && !(await this.isCurrentGrant({ userId: user.id, grantId: user.grantId }))) {
      await this.redis.del(key);
    }
  }
}
