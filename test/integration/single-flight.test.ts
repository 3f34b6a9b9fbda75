import { randomBytes } from 'node:crypto';
import { RedisLock } from '../../src/store/lock';
import { LockedSingleFlight } from '../../src/store/single-flight';
import { StorageUnavailableError, type CoolDown, type FlightPlan } from '../../src/zoom/grant';
import { LogLines, testRedisConnections } from './refresh-fakes';

/**
 * The lock's choreography on a real Redis, each flight as another process holds it: one run at
 * a time per key, a slow holder kept, waiters woken to re-read, a failed run's cool-down, and
 * giving up after the lock's life and the margin.
 */

const prefix = `sf${randomBytes(3).toString('hex')}:`;
const channel = `${prefix}released`;
const { connect, closeAll } = testRedisConnections();
const admin = connect();

afterAll(async () => {
  const found = await admin.keys(`${prefix}*`);
  if (found.length) await admin.del(...found);
  await closeAll();
});

let n = 0;
/** A value kept in Redis under its own key, and the lock key of its runs. */
function newValue(): { valueKey: string; lockKey: string } {
  n += 1;
  return { valueKey: `${prefix}value:${n}`, lockKey: `${prefix}lock:${n}` };
}

/** One process's single flight, on its own connections. */
function flight(opts: { lockTtlMs?: number; waitMarginMs?: number; log?: LogLines } = {}) {
  const redis = connect();
  const lock = new RedisLock(redis, connect(), channel);
  const log = opts.log ?? new LogLines();
  return new LockedSingleFlight(lock, {
    lockTtlMs: opts.lockTtlMs ?? 15_000,
    waitMarginMs: opts.waitMarginMs ?? 2_000,
    logger: log.logger,
  });
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Cooling extends Error {
  constructor(
    readonly reason: string,
    readonly remainingMs: number,
  ) {
    super('cooling');
  }
}

/**
 * A plan whose value is the Redis string at `valueKey`: it needs a run while it is 'stale', and
 * the run writes 'fresh-<n>' (after `hold`, when given), unless it throws `fail` (once).
 */
class Plan implements FlightPlan<string> {
  runs = 0;
  reads = 0;
  hold?: Promise<void>;
  fail?: Error;
  coolDown?: CoolDown;
  readonly logFields = { userId: 'u-1' };
  private markStarted: () => void = () => undefined;
  /** Resolves once a run has begun, so its process holds the lock. */
  readonly started = new Promise<void>((r) => (this.markStarted = r));
  constructor(private readonly valueKey: string) {}
  async read(): Promise<string> {
    this.reads++;
    return (await admin.get(this.valueKey)) ?? 'gone';
  }
  stillNeeded(value: string): boolean {
    return value === 'stale';
  }
  async run(value: string): Promise<string> {
    expect(value).toBe('stale');
    this.runs++;
    this.markStarted();
    await this.hold;
    const failure = this.fail;
    this.fail = undefined;
    if (failure) throw failure;
    const next = `fresh-${this.runs}`;
    await admin.set(this.valueKey, next);
    return next;
  }
  coolDownAfter(): CoolDown | undefined {
    return this.coolDown;
  }
  whileCooling(reason: string, remainingMs: number): Error {
    return new Cooling(reason, remainingMs);
  }
}

function held(): { hold: Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const hold = new Promise<void>((r) => (release = r));
  return { hold, release };
}

describe('taking the lock', () => {
  test('a value that needs it: one run, holding the lock, which is freed after', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    const plan = new Plan(valueKey);
    const { hold, release } = held();
    plan.hold = hold;
    const pending = flight().run(lockKey, plan);
    await plan.started;
    expect(await admin.exists(lockKey)).toBe(1);
    release();
    await expect(pending).resolves.toBe('fresh-1');
    expect(plan.runs).toBe(1);
    expect(await admin.exists(lockKey)).toBe(0);
  });

  test('a value another process already renewed (read under the lock): no run', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'fresh-elsewhere');
    const plan = new Plan(valueKey);
    await expect(flight().run(lockKey, plan)).resolves.toBe('fresh-elsewhere');
    expect(plan.runs).toBe(0);
    expect(plan.reads).toBe(1);
    expect(await admin.exists(lockKey)).toBe(0);
  });

  test('a failing run: its error is passed on, and the lock freed without a cool-down', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    const plan = new Plan(valueKey);
    plan.fail = new Error('Zoom did not answer');
    const failure = plan.fail;
    await expect(flight().run(lockKey, plan)).rejects.toBe(failure);
    expect(await admin.exists(lockKey)).toBe(0);
    await expect(flight().run(lockKey, plan)).resolves.toBe('fresh-2');
  });

  test('a read that fails under the lock: passed on, the lock freed, no run', async () => {
    const { valueKey, lockKey } = newValue();
    const plan = new Plan(valueKey);
    const gone = new Error('gone');
    plan.read = () => Promise.reject(gone);
    await expect(flight().run(lockKey, plan)).rejects.toBe(gone);
    expect(plan.runs).toBe(0);
    expect(await admin.exists(lockKey)).toBe(0);
  });
});

describe('the heartbeat', () => {
  test('a run slower than the lock’s life keeps its lock: another process waits, one run', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    const plan = new Plan(valueKey);
    const { hold, release } = held();
    plan.hold = hold;
    const first = flight({ lockTtlMs: 300 }).run(lockKey, plan);
    await plan.started;
    const second = flight({ lockTtlMs: 300 }).run(lockKey, plan);
    await tick(1000); // more than three lock lives
    expect(await admin.exists(lockKey)).toBe(1);
    release();
    await expect(first).resolves.toBe('fresh-1');
    await expect(second).resolves.toBe('fresh-1');
    expect(plan.runs).toBe(1);
  });
});

describe('waiting for the holder', () => {
  test('waiters wake on the release and re-read: the holder’s value, no run of their own', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    const plan = new Plan(valueKey);
    const { hold, release } = held();
    plan.hold = hold;
    const holder = flight().run(lockKey, plan);
    await plan.started;
    const waiters = [flight().run(lockKey, plan), flight().run(lockKey, plan)];
    await tick(100);
    const readsBefore = plan.reads;
    const released = Date.now();
    release();
    await expect(holder).resolves.toBe('fresh-1');
    await expect(Promise.all(waiters)).resolves.toEqual(['fresh-1', 'fresh-1']);
    expect(plan.runs).toBe(1);
    expect(plan.reads).toBe(readsBefore + 2);
    expect(Date.now() - released).toBeLessThan(10_000); // woken, not the lock's 15 s
  });

  test('a value still needing a run after the release: the waiter runs it', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    const plan = new Plan(valueKey);
    const failure = new Error('the holder’s run fails, without a cool-down');
    plan.fail = failure;
    const { hold, release } = held();
    plan.hold = hold;
    const holder = flight().run(lockKey, plan);
    await plan.started;
    const waiter = flight().run(lockKey, plan);
    await tick(100);
    release();
    await expect(holder).rejects.toBe(failure);
    await expect(waiter).resolves.toBe('fresh-2');
    expect(plan.runs).toBe(2);
  });

  test('a lock that is never released: the waiter gives up after its life and the margin', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    await admin.set(lockKey, 'another-process', 'PX', 60_000);
    const plan = new Plan(valueKey);
    const started = Date.now();
    const err = await flight({ lockTtlMs: 300, waitMarginMs: 200 })
      .run(lockKey, plan)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect((err as StorageUnavailableError).step).toBe('lock');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(plan.runs).toBe(0);
    expect(await admin.get(lockKey)).toBe('another-process');
  });

  test('a lock freed by its expiry (a holder that died): the waiter takes it and runs', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    await admin.set(lockKey, 'a-dead-process', 'PX', 300);
    const plan = new Plan(valueKey);
    await expect(flight({ lockTtlMs: 300 }).run(lockKey, plan)).resolves.toBe('fresh-1');
    expect(plan.runs).toBe(1);
  });
});

describe('the cool-down after a failed run', () => {
  async function cooled(): Promise<{ valueKey: string; lockKey: string; plan: Plan }> {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    const plan = new Plan(valueKey);
    plan.fail = new Error('refused');
    plan.coolDown = { ms: 60_000, reason: 'refused' };
    await expect(flight().run(lockKey, plan)).rejects.toThrow('refused');
    return { valueKey, lockKey, plan };
  }

  test('closes the key for its length: every process is told why and how long, no run', async () => {
    const { lockKey, plan } = await cooled();
    const pttl = await admin.pttl(lockKey);
    expect(pttl).toBeGreaterThan(55_000);
    const err = await flight()
      .run(lockKey, plan)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Cooling);
    expect((err as Cooling).reason).toBe('refused');
    expect((err as Cooling).remainingMs).toBeGreaterThan(50_000);
    expect((err as Cooling).remainingMs).toBeLessThanOrEqual(60_000);
    expect(plan.runs).toBe(1);
  });

  test('a value renewed meanwhile (a re-install) is answered during the cool-down', async () => {
    const { valueKey, lockKey, plan } = await cooled();
    await admin.set(valueKey, 'reinstalled');
    await expect(flight().run(lockKey, plan)).resolves.toBe('reinstalled');
    expect(plan.runs).toBe(1);
  });

  test('ends by itself: then a run again', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    const plan = new Plan(valueKey);
    plan.fail = new Error('rate limited');
    plan.coolDown = { ms: 2_000, reason: 'rate_limited' };
    await expect(flight().run(lockKey, plan)).rejects.toThrow('rate limited');
    await expect(flight().run(lockKey, plan)).rejects.toBeInstanceOf(Cooling);
    await tick(2_100);
    await expect(flight().run(lockKey, plan)).resolves.toBe('fresh-2');
  });

  test('wakes a waiter, which is told of it (not left waiting for the lock’s life)', async () => {
    const { valueKey, lockKey } = newValue();
    await admin.set(valueKey, 'stale');
    const plan = new Plan(valueKey);
    plan.fail = new Error('refused');
    plan.coolDown = { ms: 60_000, reason: 'refused' };
    const { hold, release } = held();
    plan.hold = hold;
    const holder = flight().run(lockKey, plan);
    await plan.started;
    const waiter = flight()
      .run(lockKey, plan)
      .catch((e: unknown) => e);
    await tick(100);
    release();
    await expect(holder).rejects.toThrow('refused');
    // The waiter re-reads, still needs a run, tries the lock again and meets the cool-down.
    expect(await waiter).toBeInstanceOf(Cooling);
    expect(plan.runs).toBe(1);
  });
});

test('a release that fails is logged with the plan’s fields; the run’s value is still answered', async () => {
  const { valueKey, lockKey } = newValue();
  await admin.set(valueKey, 'stale');
  const log = new LogLines();
  const lockRedis = connect();
  const f = new LockedSingleFlight(new RedisLock(lockRedis, connect(), channel), {
    lockTtlMs: 15_000,
    waitMarginMs: 2_000,
    logger: log.logger,
  });
  const plan = new Plan(valueKey);
  const { hold, release } = held();
  plan.hold = hold;
  const pending = f.run(lockKey, plan);
  await plan.started;
  await lockRedis.quit(); // the lock's connection is lost during the run
  release();
  await expect(pending).resolves.toBe('fresh-1');
  expect(log.find('refresh lock release failed')).toMatchObject({
    level: 40,
    userId: 'u-1',
    err: 'Error',
  });
});
