import { randomBytes } from 'node:crypto';
import { deriveEncryptionKey } from '../../src/config';
import { RedisCounters } from '../../src/store/counters';
import { RecordCipher } from '../../src/store/crypto';
import { rotateRemovalHistories } from '../../src/store/key-rotation';
import { RedisKeys } from '../../src/store/keys';
import type { RedisClient } from '../../src/store/redis';
import { RedisLedger } from '../../src/store/ledger';
import { SessionIndex } from '../../src/store/session-index';
import { newRemoval } from '../../src/zoom/removals';
import { testRedisConnections } from './refresh-fakes';

/**
 * The checks inside the store's Lua scripts that no other test pins (docs/mutation.md lists
 * each check with the test that fails without it): each by the behaviour it guards, on a
 * real Redis, with the race it exists for made to happen.
 */

const keys = new RedisKeys(`ss${randomBytes(3).toString('hex')}:`);
const oldKey = deriveEncryptionKey(randomBytes(32));
const cipher = new RecordCipher([oldKey]);
const { connect, closeAll } = testRedisConnections();
const admin = connect();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  const found = await admin.keys(`${keys.prefix}*`);
  if (found.length) await admin.del(...found);
  await closeAll();
});

/** A connection that runs `meanwhile` once, between a caller's reads and its script. */
function interruptedBeforeScript(redis: RedisClient, meanwhile: () => Promise<unknown>) {
  let pending: (() => Promise<unknown>) | null = meanwhile;
  return new Proxy(redis, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'eval' || typeof value !== 'function') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        const run = pending;
        pending = null;
        await run?.();
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
}

const ALAN = { id: 'alan1', email: 'alan@example.com', canManagePrivateEvents: true };
let users = 0;
/** A user with a grant (the history is written only while one exists) and one removal. */
async function userWithRemoval(k = keys): Promise<{ userId: string; removalId: string }> {
  const userId = `u${++users}`;
  await admin.set(k.grantRecord(userId), 'a grant');
  const removal = newRemoval([ALAN], Date.now());
  expect(await new RedisLedger(admin, k, cipher).add(userId, removal)).toBe(true);
  return { userId, removalId: removal.id };
}

describe('rate-limit windows', () => {
  test('a window runs from its first hit; later hits do not prolong it; it ends by itself', async () => {
    const counters = new RedisCounters(admin, keys.rateLimitPrefix);
    const key = `${keys.rateLimitPrefix}w`;
    const first = await counters.hit('w', 1500);
    expect(first.count).toBe(1);
    const left = await admin.pttl(key);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(1500);
    await sleep(20);
    // In the window (at once, not after a sleep a loaded machine could stretch past it) ...
    expect((await counters.hit('w', 1500)).count).toBe(2);
    // ... and it did not start it again: what is left has only gone down.
    expect(await admin.pttl(key)).toBeLessThan(left);
    // Over by itself (Redis expires it): the next hit opens a new window.
    const deadline = Date.now() + 20_000;
    while ((await admin.exists(key)) === 1) {
      if (Date.now() > deadline) throw new Error('the window never ended');
      await sleep(50);
    }
    expect((await counters.hit('w', 1500)).count).toBe(1);
  });
});

describe('the session index', () => {
  test('a sign-in whose grant is already gone is not indexed', async () => {
    const index = new SessionIndex(admin, keys);
    const expires = Date.now() + 60_000;
    expect(await index.register('no-grant', 'sid-1', expires)).toBe(false);
    expect(await admin.exists(keys.userSessions('no-grant'))).toBe(0);
    await admin.set(keys.grantRecord('granted'), 'a grant');
    expect(await index.register('granted', 'sid-2', expires)).toBe(true);
    expect(await admin.zrange(keys.userSessions('granted'), '0', '-1')).toEqual(['sid-2']);
  });
});

describe('the removal history', () => {
  test('two claims that both read the entry before either wrote: one claims, the other finds it running', async () => {
    const { userId, removalId } = await userWithRemoval();
    const other = new RedisLedger(admin, keys, cipher);
    let otherClaim: unknown;
    const slow = new RedisLedger(
      interruptedBeforeScript(connect(), async () => {
        otherClaim = (await other.claim(userId, removalId, Date.now())).kind;
      }),
      keys,
      cipher,
    );
    const claim = await slow.claim(userId, removalId, Date.now());
    expect(otherClaim).toBe('claimed');
    expect(claim.kind).toBe('running');
  });

  test('an undo that ends after the grant ended does not write the history back', async () => {
    const { userId, removalId } = await userWithRemoval();
    const history = new RedisLedger(admin, keys, cipher);
    const claim = await history.claim(userId, removalId, Date.now());
    if (claim.kind !== 'claimed') throw new Error(`not claimed: ${claim.kind}`);
    await admin.del(keys.history(userId), keys.grantRecord(userId)); // a deauthorization meanwhile
    await history.settle(userId, claim.removal, { state: 'available' });
    expect(await admin.exists(keys.history(userId))).toBe(0);
  });

  test('rotation does not overwrite an entry an undo claimed between its read and its write', async () => {
    const own = new RedisKeys(`${keys.prefix}rot:`); // rotation scans the whole prefix
    const { userId, removalId } = await userWithRemoval(own);
    const rotated = new RecordCipher([deriveEncryptionKey(randomBytes(32)), oldKey]);
    const undo = new RedisLedger(admin, own, rotated);
    const redis = interruptedBeforeScript(connect(), () =>
      undo.claim(userId, removalId, Date.now()),
    );
    const report = await rotateRemovalHistories(redis, own, rotated);
    expect(report).toMatchObject({ entries: 1, rotated: 0, changedMeanwhile: 1 });
    const [entry] = await undo.list(userId, Date.now());
    expect(entry?.undo.state).toBe('running');
  });
});
