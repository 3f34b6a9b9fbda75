import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis';
import type { CoolDown } from '../zoom/grant';

export interface LockHandle {
  readonly key: string;
  readonly owner: string;
}

export type LockAttempt =
  | { readonly kind: 'acquired'; readonly handle: LockHandle }
  | { readonly kind: 'busy' }
  /** Closed by a holder's cool-down (see `release`): `reason` is what the holder gave. */
  | { readonly kind: 'cooling'; readonly reason: string; readonly remainingMs: number };

/** A lock shared by every process. */
export interface DistributedLock {
  tryAcquire(key: string, ttlMs: number): Promise<LockAttempt>;
  /** Frees the lock if this handle owns it; with a cool-down, keeps it closed that long instead. */
  release(handle: LockHandle, coolDown?: CoolDown): Promise<boolean>;
  extend(handle: LockHandle, ttlMs: number): Promise<boolean>;
  /** Resolves when the lock is freed (or starts cooling down), or after `maxWaitMs`. */
  waitForRelease(key: string, maxWaitMs: number): Promise<void>;
}

const COOL_PREFIX = 'cool:';

// 'OK' when taken, else the current value and its remaining life (`cool:<reason>` when cooling).
const ACQUIRE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 'OK' end
return { redis.call('GET', KEYS[1]) or '', redis.call('PTTL', KEYS[1]) }`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[3] ~= '' then
    redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
  else
    redis.call('DEL', KEYS[1])
  end
  redis.call('PUBLISH', ARGV[2], KEYS[1])
  return 1
end
return 0`;

const EXTEND_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/**
 * Frees the lock if `handle` owns it, or keeps it closed for a cool-down, and publishes the
 * release on `channel`. Also the sweep's grant check's release (store/grant-check.ts).
 */
export async function releaseLock(
  redis: RedisClient,
  handle: LockHandle,
  channel: string,
  coolDown?: CoolDown,
): Promise<boolean> {
  const cool = coolDown && coolDown.ms > 0 ? coolDown : null;
  const n = await redis.eval(
    RELEASE_SCRIPT,
    1,
    handle.key,
    handle.owner,
    channel,
    cool ? COOL_PREFIX + cool.reason : '',
    cool ? Math.ceil(cool.ms) : 0,
  );
  return n === 1;
}

/** Renews the lock's life if `handle` still owns it. */
export async function extendLock(
  redis: RedisClient,
  handle: LockHandle,
  ttlMs: number,
): Promise<boolean> {
  return (await redis.eval(EXTEND_SCRIPT, 1, handle.key, handle.owner, ttlMs)) === 1;
}

/** How often a waiter looks at the lock itself, in case a release message is missed. */
const POLL_MS = 250;

/**
 * SET NX PX with a random owner, released only by its owner (compare-and-delete in Lua, so an
 * expired holder cannot free someone else's lock); a release is published so waiters wake at once.
 */
export class RedisLock implements DistributedLock {
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscribed: Promise<void> | null = null;

  /**
   * @param redis commands
   * @param subscriber a dedicated connection (a subscribed ioredis client cannot run commands)
   * @param pollMs how often a waiter looks at the lock itself
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly channel: string,
    private readonly pollMs: number = POLL_MS,
  ) {
    this.subscriber.on('message', (ch: string, key: string) => {
      if (ch === this.channel) this.wake(key);
    });
  }

  async tryAcquire(key: string, ttlMs: number): Promise<LockAttempt> {
    const owner = randomBytes(16).toString('hex');
    const reply = (await this.redis.eval(ACQUIRE_SCRIPT, 1, key, owner, ttlMs)) as
      'OK' | [string, number];
    if (reply === 'OK') return { kind: 'acquired', handle: { key, owner } };
    const [value, pttl] = reply;
    if (value.startsWith(COOL_PREFIX)) {
      return {
        kind: 'cooling',
        reason: value.slice(COOL_PREFIX.length),
        remainingMs: Math.max(0, pttl),
      };
    }
    return { kind: 'busy' };
  }

  release(handle: LockHandle, coolDown?: CoolDown): Promise<boolean> {
    return releaseLock(this.redis, handle, this.channel, coolDown);
  }

  /** Keeps a held lock alive (a refresh slower than expected must not lose it). */
  extend(handle: LockHandle, ttlMs: number): Promise<boolean> {
    return extendLock(this.redis, handle, ttlMs);
  }

  /** Subscribes before its first look (so no release is missed), and polls for lost messages. */
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
        const value = await this.redis.get(key);
        if (value === null || value.startsWith(COOL_PREFIX)) return;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          released,
          new Promise<void>(
            (r) => (timer = setTimeout(r, Math.min(this.pollMs, deadline - Date.now()))),
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
