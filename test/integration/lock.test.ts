import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { RedisLock, type LockHandle } from '../../src/store/lock';
import { expectLifeSetBy, expiryOf } from './expiry';
import { testRedisConnections } from './refresh-fakes';

/**
 * The refresh lock on a real Redis, as separate processes use it: each `RedisLock` here has its
 * own command and subscriber connections. Only the owner frees or prolongs a lock; a waiter
 * wakes on a release (pub/sub), and on an expiry or a missed message by looking at the key.
 */

const prefix = `lk${randomBytes(3).toString('hex')}:`;
const channel = `${prefix}lock-released`;
const { url, adopt, connect, closeAll } = testRedisConnections();
const admin = connect();

/** One process's lock. `deaf`: its pub/sub connection is gone, so it can only poll. */
async function processLock(
  opts: { deaf?: boolean; channel?: string; pollMs?: number } = {},
): Promise<RedisLock> {
  const subscriber = connect();
  if (opts.deaf) await subscriber.quit();
  return new RedisLock(connect(), subscriber, opts.channel ?? channel, opts.pollMs);
}

let keys = 0;
const newKey = (): string => `${prefix}lock:${++keys}`;
const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function acquire(lock: RedisLock, key: string, ttlMs: number): Promise<LockHandle> {
  const attempt = await lock.tryAcquire(key, ttlMs);
  if (attempt.kind !== 'acquired') throw new Error(`lock ${key} not acquired: ${attempt.kind}`);
  return attempt.handle;
}

/** A wait in progress: whether, and when, it has returned. */
interface Watched {
  readonly done: Promise<number>;
  returned(): boolean;
}
function watch(wait: Promise<void>): Watched {
  let returned = false;
  const done = wait.then(() => {
    returned = true;
    return Date.now();
  });
  return { done, returned: () => returned };
}

/** Every release announced on `ch` while `during` runs: the lock keys named. */
async function announcements(ch: string, during: () => Promise<void>): Promise<string[]> {
  const listener = connect();
  const heard: string[] = [];
  listener.on('message', (c: string, key: string) => {
    if (c === ch) heard.push(key);
  });
  await listener.subscribe(ch);
  await during();
  // A channel's messages arrive in order: once this one is heard, so is every earlier one.
  const sentinel = `${prefix}sentinel:${++keys}`;
  await admin.publish(ch, sentinel);
  while (!heard.includes(sentinel)) await tick(5);
  await listener.quit();
  return heard.filter((key) => key !== sentinel);
}

afterAll(async () => {
  const found = await admin.keys(`${prefix}*`);
  if (found.length) await admin.del(...found);
  await closeAll();
});

describe('only the owner frees or prolongs a lock', () => {
  test('a free lock is taken with a new owner value and the TTL asked; meanwhile others are busy', async () => {
    const [a, b] = await Promise.all([processLock(), processLock()]);
    const key = newKey();
    const first = await expectLifeSetBy(admin, key, 5_000, () => acquire(a, key, 5_000));
    expect(first.key).toBe(key);
    expect(await admin.get(key)).toBe(first.owner);
    expect(await b.tryAcquire(key, 5_000)).toEqual({ kind: 'busy' });
    expect(await a.tryAcquire(key, 5_000)).toEqual({ kind: 'busy' }); // not re-entrant either
    expect(await a.release(first)).toBe(true);
    const second = await acquire(b, key, 5_000);
    expect(second.owner).not.toBe(first.owner);
    expect(await admin.get(key)).toBe(second.owner);
  });

  test('a release by a non-owner does nothing: the owner’s value and TTL stay, nobody is told', async () => {
    const [holder, stranger] = await Promise.all([processLock(), processLock()]);
    const key = newKey();
    const handle = await acquire(holder, key, 10_000);
    const expiry = await expiryOf(admin, key);
    const forged: LockHandle = { key, owner: randomBytes(16).toString('hex') };
    let plain: boolean | undefined;
    let cooling: boolean | undefined;
    const heard = await announcements(channel, async () => {
      plain = await stranger.release(forged);
      cooling = await stranger.release(forged, { ms: 60_000, reason: 'refused' });
    });
    expect(plain).toBe(false);
    expect(cooling).toBe(false);
    expect(heard).toEqual([]);
    expect(await admin.get(key)).toBe(handle.owner);
    expect(await expiryOf(admin, key)).toBe(expiry); // untouched
    expect(await stranger.tryAcquire(key, 10_000)).toEqual({ kind: 'busy' });
  });

  test('an extend by a non-owner does nothing: the TTL is not prolonged', async () => {
    const [holder, stranger] = await Promise.all([processLock(), processLock()]);
    const key = newKey();
    const handle = await acquire(holder, key, 2_000);
    const expiry = await expiryOf(admin, key);
    const forged: LockHandle = { key, owner: randomBytes(16).toString('hex') };
    expect(await stranger.extend(forged, 60_000)).toBe(false);
    expect(await admin.get(key)).toBe(handle.owner);
    expect(await expiryOf(admin, key)).toBe(expiry);
  });

  test('a holder whose lock expired can neither free nor prolong the next holder’s lock', async () => {
    const [late, next] = await Promise.all([processLock(), processLock()]);
    const key = newKey();
    const expired = await acquire(late, key, 150);
    await tick(250);
    expect(await admin.exists(key)).toBe(0);
    const current = await acquire(next, key, 10_000);
    const expiry = await expiryOf(admin, key);
    expect(await late.release(expired)).toBe(false);
    expect(await late.release(expired, { ms: 60_000, reason: 'refused' })).toBe(false);
    expect(await late.extend(expired, 60_000)).toBe(false);
    expect(await admin.get(key)).toBe(current.owner);
    expect(await expiryOf(admin, key)).toBe(expiry);
  });

  test('the owner’s extend prolongs the TTL, so the lock outlives its first life', async () => {
    const lock = await processLock();
    const key = newKey();
    const handle = await acquire(lock, key, 1_000);
    expect(await expectLifeSetBy(admin, key, 5_000, () => lock.extend(handle, 5_000))).toBe(true);
    await tick(1_150); // past the first 1,000 ms
    expect(await admin.get(key)).toBe(handle.owner);
    expect(await lock.release(handle)).toBe(true);
    expect(await admin.exists(key)).toBe(0);
  });

  test('the owner’s release frees the lock and announces its key', async () => {
    const [holder, other] = await Promise.all([processLock(), processLock()]);
    const key = newKey();
    const handle = await acquire(holder, key, 10_000);
    let released: boolean | undefined;
    const heard = await announcements(channel, async () => {
      released = await holder.release(handle);
    });
    expect(released).toBe(true);
    expect(heard).toEqual([key]);
    expect(await admin.exists(key)).toBe(0);
    expect((await other.tryAcquire(key, 1_000)).kind).toBe('acquired');
  });
});

describe('a waiter wakes', () => {
  test('at once when the lock is already free or cooling down', async () => {
    const lock = await processLock();
    const free = newKey();
    // "At once" against the 20 s it would otherwise wait: a bound no load reaches.
    let started = Date.now();
    await lock.waitForRelease(free, 20_000);
    expect(Date.now() - started).toBeLessThan(10_000);

    const cooling = newKey();
    await admin.set(cooling, 'cool:refused', 'PX', 20_000);
    started = Date.now();
    await lock.waitForRelease(cooling, 20_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('promptly on release, through pub/sub (a poll would find the lock taken again)', async () => {
    const [holder, waiter, next] = await Promise.all([processLock(), processLock(), processLock()]);
    await waiter.ensureSubscribed();
    const key = newKey();
    const handle = await acquire(holder, key, 10_000);
    const wait = watch(waiter.waitForRelease(key, 10_000));
    await tick(400);
    expect(wait.returned()).toBe(false); // held: no early return
    const releasedAt = Date.now();
    expect(await holder.release(handle)).toBe(true);
    // Taken again at once: only the release message can wake the waiter before 10 s.
    await acquire(next, key, 10_000);
    const wokeAt = await wait.done;
    expect(wokeAt - releasedAt).toBeLessThan(5_000); // the message, not the 10 s
  });

  test('one release wakes every waiter of that lock, and no waiter of another', async () => {
    const [holder, w1, w2, w3, next] = await Promise.all([
      processLock(),
      processLock(),
      processLock(),
      processLock(),
      processLock(),
    ]);
    await Promise.all([w1.ensureSubscribed(), w2.ensureSubscribed(), w3.ensureSubscribed()]);
    const key = newKey();
    const other = newKey();
    const handle = await acquire(holder, key, 10_000);
    await acquire(holder, other, 10_000);
    const first = watch(w1.waitForRelease(key, 10_000));
    const second = watch(w2.waitForRelease(key, 10_000));
    const elsewhere = watch(w3.waitForRelease(other, 10_000));
    await tick(100);
    const releasedAt = Date.now();
    await holder.release(handle);
    await acquire(next, key, 10_000);
    const woke = await Promise.all([first.done, second.done]);
    for (const at of woke) expect(at - releasedAt).toBeLessThan(5_000); // not the 10 s
    await tick(400);
    expect(elsewhere.returned()).toBe(false);
    await admin.del(other); // as if it expired: that waiter then wakes by looking
    await elsewhere.done;
  });

  test('a waiter that gave up does not take the release message from the others of that lock', async () => {
    const [holder, waiter, next] = await Promise.all([processLock(), processLock(), processLock()]);
    await waiter.ensureSubscribed();
    const key = newKey();
    const handle = await acquire(holder, key, 10_000);
    // Two requests of one process wait for the same user's lock; the first one gives up.
    const quitter = watch(waiter.waitForRelease(key, 50));
    const stayer = watch(waiter.waitForRelease(key, 10_000));
    await quitter.done;
    await tick(100);
    expect(stayer.returned()).toBe(false);
    const releasedAt = Date.now();
    await holder.release(handle);
    await acquire(next, key, 10_000); // only the message can wake it before 10 s
    expect((await stayer.done) - releasedAt).toBeLessThan(5_000); // not the 10 s
  });

  test('a release announced on another channel does not wake this lock’s waiters', async () => {
    const shared = connect(); // one subscriber connection, two locks with their own channels
    const ours = new RedisLock(connect(), shared, channel);
    const theirs = new RedisLock(connect(), shared, `${prefix}other-channel`);
    await Promise.all([ours.ensureSubscribed(), theirs.ensureSubscribed()]);
    const key = newKey();
    await admin.set(key, 'held-elsewhere', 'PX', 10_000);
    const wait = watch(ours.waitForRelease(key, 10_000));
    await tick(50);
    await admin.publish(`${prefix}other-channel`, key);
    await tick(400);
    expect(wait.returned()).toBe(false);
    await admin.publish(channel, key); // the same key on our channel: woken (it then looks)
    await admin.del(key);
    await wait.done;
  });

  test('with pub/sub dead, on release, by looking at the lock', async () => {
    const [holder, deaf] = await Promise.all([processLock(), processLock({ deaf: true })]);
    const key = newKey();
    const handle = await acquire(holder, key, 10_000);
    const wait = watch(deaf.waitForRelease(key, 10_000));
    await tick(300);
    expect(wait.returned()).toBe(false);
    const releasedAt = Date.now();
    await holder.release(handle);
    const wokeAt = await wait.done;
    expect(wokeAt - releasedAt).toBeLessThan(5_000); // a poll every 250 ms, not the 10 s
  });

  test('with pub/sub dead, when a dead holder’s lock expires (no message is ever sent)', async () => {
    const [holder, deaf] = await Promise.all([processLock(), processLock({ deaf: true })]);
    const key = newKey();
    await acquire(holder, key, 500); // and never released
    const expiry = await expiryOf(admin, key);
    const started = Date.now();
    const wokeAt = await watch(deaf.waitForRelease(key, 10_000)).done;
    expect(wokeAt).toBeGreaterThanOrEqual(expiry - 1); // not before it expired
    expect(wokeAt - started).toBeLessThan(5_000); // nor at the 10 s
    expect(await admin.exists(key)).toBe(0);
  });

  test('after maxWaitMs at the latest, while the lock stays held', async () => {
    const [holder, waiter] = await Promise.all([processLock(), processLock()]);
    const key = newKey();
    await acquire(holder, key, 10_000);
    const started = Date.now();
    await waiter.waitForRelease(key, 600);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(550);
    expect(waited).toBeLessThan(5_000); // not the lock's 10 s
    expect(await admin.exists(key)).toBe(1);
  });
});

test('a waiter with a short maxWaitMs returns on time, not at the next poll', async () => {
  // Polls 30 s apart: "on time" and "at the next poll" are far apart, whatever the load.
  const [holder, waiter] = await Promise.all([processLock(), processLock({ pollMs: 30_000 })]);
  const key = newKey();
  await acquire(holder, key, 10_000);
  const started = Date.now();
  await waiter.waitForRelease(key, 100);
  const waited = Date.now() - started;
  expect(waited).toBeGreaterThanOrEqual(90);
  expect(waited).toBeLessThan(10_000);
});

describe('a release into a cool-down', () => {
  test('closes the lock: attempts answer cooling with the reason and time left; the waiter wakes; it ends by itself', async () => {
    const [holder, waiter, other] = await Promise.all([
      processLock(),
      processLock(),
      processLock(),
    ]);
    await waiter.ensureSubscribed();
    const key = newKey();
    const handle = await acquire(holder, key, 10_000);
    const wait = watch(waiter.waitForRelease(key, 10_000));
    await tick(100);
    const releasedAt = Date.now();
    const released = await expectLifeSetBy(admin, key, 1_500, () =>
      holder.release(handle, { ms: 1_500, reason: 'rate_limited' }),
    );
    expect(released).toBe(true);
    const wokeAt = await wait.done;
    expect(wokeAt - releasedAt).toBeLessThan(5_000); // not the 10 s
    expect(await admin.get(key)).toBe('cool:rate_limited');
    const attempt = await other.tryAcquire(key, 10_000);
    expect(attempt).toEqual({
      kind: 'cooling',
      reason: 'rate_limited',
      remainingMs: expect.any(Number) as number,
    });
    if (attempt.kind !== 'cooling') throw new Error('not cooling');
    expect(attempt.remainingMs).toBeGreaterThan(0);
    expect(attempt.remainingMs).toBeLessThanOrEqual(1_500);
    // Nobody owns a cool-down: it cannot be released early, only waited out.
    expect(await holder.release(handle)).toBe(false);
    await tick(1_600);
    expect((await other.tryAcquire(key, 10_000)).kind).toBe('acquired');
  });

  test('is announced like a release', async () => {
    const holder = await processLock();
    const key = newKey();
    const handle = await acquire(holder, key, 10_000);
    const heard = await announcements(channel, async () => {
      await holder.release(handle, { ms: 5_000, reason: 'refused' });
    });
    expect(heard).toEqual([key]);
  });

  test('of no time frees the lock; a fraction of a millisecond still closes it', async () => {
    const [holder, other] = await Promise.all([processLock(), processLock()]);
    const key = newKey();
    const none = await acquire(holder, key, 10_000);
    expect(await holder.release(none, { ms: 0, reason: 'refused' })).toBe(true);
    expect(await admin.exists(key)).toBe(0);
    const brief = await acquire(other, key, 10_000);
    expect(await other.release(brief, { ms: 0.2, reason: 'refused' })).toBe(true);
  });

  test('of a reason with no expiry left answers cooling with 0 ms left, never a negative time', async () => {
    const lock = await processLock();
    const key = newKey();
    await admin.set(key, 'cool:invalid_client'); // no TTL (as if PERSISTed by hand)
    expect(await lock.tryAcquire(key, 1_000)).toEqual({
      kind: 'cooling',
      reason: 'invalid_client',
      remainingMs: 0,
    });
  });
});

test('a subscription that failed is tried again on the next wait, and then wakes waiters at once', async () => {
  // A connection that is not up yet and refuses to queue: its first SUBSCRIBE fails at once.
  const subscriber = adopt(new Redis(url, { lazyConnect: true, enableOfflineQueue: false }));
  const lock = new RedisLock(connect(), subscriber, channel);
  await expect(lock.ensureSubscribed()).rejects.toThrow();
  await once(subscriber, 'ready');
  await expect(lock.ensureSubscribed()).resolves.toBeUndefined();
  // Subscribed now: a release wakes the waiter before the lock is taken again by another.
  const [holder, other] = await Promise.all([processLock(), processLock()]);
  const key = newKey();
  const handle = await acquire(holder, key, 10_000);
  const wait = watch(lock.waitForRelease(key, 30_000));
  await tick(50);
  const releasedAt = Date.now();
  await holder.release(handle);
  await acquire(other, key, 10_000);
  const wokeAt = await wait.done;
  expect(wokeAt - releasedAt).toBeLessThan(10_000); // not the 30 s: the lock is taken again
});
