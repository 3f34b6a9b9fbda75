import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

/**
 * A lock shared by every process on one Redis: SET NX PX with a random owner value, released only
 * by its owner (compare-and-delete in Lua, so a holder whose lock expired cannot free someone
 * else's). A release is announced on a pub/sub channel so that waiters wake at once instead of
 * polling; a holder that dies frees the lock when its TTL runs out.
 */

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], KEYS[1])
  return 1
end
return 0`;

const EXTEND_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** How often a waiter looks at the lock itself, in case a release message is missed. */
const POLL_MS = 250;

export interface LockHandle {
  readonly key: string;
  readonly owner: string;
}

/** What the token manager needs from a lock shared by all processes. */
export interface DistributedLock {
  tryAcquire(key: string, ttlMs: number): Promise<LockHandle | null>;
  release(handle: LockHandle): Promise<boolean>;
  extend(handle: LockHandle, ttlMs: number): Promise<boolean>;
  waitForRelease(key: string, maxWaitMs: number): Promise<void>;
}

export class RedisLock implements DistributedLock {
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscribed: Promise<void> | null = null;

  /**
   * @param redis commands
   * @param subscriber a dedicated connection (a subscribed ioredis client cannot run commands)
   */
  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {
    this.subscriber.on('message', (ch: string, key: string) => {
      if (ch === this.channel) this.wake(key);
    });
  }

  async tryAcquire(key: string, ttlMs: number): Promise<LockHandle | null> {
    const owner = randomBytes(16).toString('hex');
    const ok = await this.redis.set(key, owner, 'PX', ttlMs, 'NX');
    return ok === 'OK' ? { key, owner } : null;
  }

  async release(handle: LockHandle): Promise<boolean> {
    const n = await this.redis.eval(RELEASE_SCRIPT, 1, handle.key, handle.owner, this.channel);
    return n === 1;
  }

  /** Keeps a held lock alive (a refresh slower than expected must not lose it). */
  async extend(handle: LockHandle, ttlMs: number): Promise<boolean> {
    const n = await this.redis.eval(EXTEND_SCRIPT, 1, handle.key, handle.owner, ttlMs);
    return n === 1;
  }

  /**
   * Resolves when the lock at `key` is released or expires, or after `maxWaitMs`. The release
   * message wakes waiters at once; the lock is also looked at every POLL_MS, so a message
   * missed while the pub/sub connection was down (or never up) costs at most that much.
   * Subscribing happens before the first look, so a release in between is not missed.
   */
  async waitForRelease(key: string, maxWaitMs: number): Promise<void> {
    await this.ensureSubscribed().catch(() => undefined); // polling still works
    let wake: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (wake = resolve));
    const set = this.waiters.get(key) ?? new Set();
    set.add(wake);
    this.waiters.set(key, set);
    const deadline = Date.now() + maxWaitMs;
    let woken = false;
    void released.then(() => (woken = true));
    try {
      while (!woken && Date.now() < deadline) {
        if ((await this.redis.pttl(key)) === -2) return; // gone: released or expired
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          released,
          new Promise<void>(
            (r) => (timer = setTimeout(r, Math.min(POLL_MS, deadline - Date.now()))),
          ),
        ]);
        clearTimeout(timer);
      }
    } finally {
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(key);
    }
  }

  /** Subscribe ahead of the first wait (start-up), so no refresh pays for it. */
  ensureSubscribed(): Promise<void> {
    this.subscribed ??= this.subscriber.subscribe(this.channel).then(
      () => undefined,
      (err: unknown) => {
        this.subscribed = null; // try again on the next wait
        throw err;
      },
    );
    return this.subscribed;
  }

  private wake(key: string): void {
    const set = this.waiters.get(key);
    if (!set) return;
    for (const fn of set) fn();
  }
}
