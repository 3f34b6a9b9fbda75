import { randomBytes } from 'node:crypto';
import { deriveEncryptionKey } from '../../src/config';
import { createLogger } from '../../src/log';
import { RecordCipher } from '../../src/store/crypto';
import { RedisKeys } from '../../src/store/keys';
import { RedisLock } from '../../src/store/lock';
import { LockedSingleFlight } from '../../src/store/single-flight';
import type { RedisClient } from '../../src/store/redis';
import { RedisTokenStore } from '../../src/store/token-store';
import { ZoomApiError } from '../../src/zoom/errors';
import type { GrantRef } from '../../src/zoom/grant';
import type { TokenRefresher } from '../../src/zoom/oauth';
import { OAuthError } from '../../src/zoom/oauth-errors';
import {
  GrantEndedError,
  ReconnectRequiredError,
  StorageUnavailableError,
  TokenManager,
} from '../../src/zoom/token-manager';
import { HeldZoom, ScriptedZoom, testRedisConnections, tokens } from './refresh-fakes';

/**
 * The token manager's protocol, with a Zoom whose answers the test scripts or releases by
 * hand, on a real Redis: what a refresh meets while it is in flight, and what each of Zoom's
 * answers does to the grant.
 */

const keys = new RedisKeys(`tm${randomBytes(3).toString('hex')}:`);
const cipher = new RecordCipher([deriveEncryptionKey(randomBytes(32))]);
const logger = createLogger('silent');
const { connect, closeAll } = testRedisConnections();
const admin = connect();

interface ManagerOptions {
  lockTtlMs?: number;
  subscriber?: RedisClient;
  coolDownMs?: number;
  waitMarginMs?: number;
}

function manager(zoom: TokenRefresher, opts: ManagerOptions = {}): TokenManager {
  const redis = connect();
  const lock = new RedisLock(redis, opts.subscriber ?? connect(), keys.lockReleasedChannel);
  const lockTtlMs = opts.lockTtlMs ?? 15_000;
  const waitMarginMs = opts.waitMarginMs ?? 2_000;
  return new TokenManager({
    store: storeOn(redis),
    flight: new LockedSingleFlight(lock, { lockTtlMs, waitMarginMs, logger }),
    lockKeyFor: (userId) => keys.refreshLock(userId),
    refresher: zoom,
    logger,
    refreshMarginMs: 60_000,
    refusalCoolDownMs: opts.coolDownMs ?? 60_000,
  });
}

function storeOn(redis: RedisClient): RedisTokenStore {
  return new RedisTokenStore(redis, keys, cipher, 3600);
}
const store = storeOn(admin);

/** A stored grant whose access token expires in `expiresInMs` (inside the margin: stale). */
async function grantFor(m: TokenManager, userId: string, expiresInMs = 1000): Promise<GrantRef> {
  return m.beginGrant(userId, tokens(`${userId}-old`, expiresInMs));
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  const found = await admin.keys(`${keys.prefix}*`);
  if (found.length) await admin.del(...found);
  await closeAll();
});

describe('exactly one refresh per expiry', () => {
  test('a refresh slower than the lock’s life keeps its lock: another process waits, one grant', async () => {
    const zoom = new HeldZoom();
    const a = manager(zoom, { lockTtlMs: 300 });
    const b = manager(zoom, { lockTtlMs: 300 });
    const ref = await grantFor(a, 'slow');
    const first = a.accessTokenFor(ref);
    await zoom.held(); // the first holds the lock, at Zoom
    const second = b.accessTokenFor(ref);
    await tick(1000); // more than three lock lives
    zoom.answerAll();
    const [ta, tb] = await Promise.all([first, second]);
    expect(zoom.grants).toBe(1);
    expect(ta).toBe('at-from-rt-slow-old');
    expect(tb).toBe(ta);
  });

  test('a process that takes the lock only after another released it re-reads: still one grant', async () => {
    const zoom = new ScriptedZoom([]);
    const a = manager(zoom);
    const b = manager(zoom);
    const ref = await grantFor(a, 'late-b');
    // B read the stale record before A refreshed (its view is old), and locks after A is done.
    const staleSeenByB = await store.get('late-b');
    expect(staleSeenByB?.accessToken).toBe('at-late-b-old');
    expect(await a.accessTokenFor(ref)).toBe('at-from-rt-late-b-old');
    expect(await admin.exists(keys.refreshLock('late-b'))).toBe(0); // released
    expect(await b.accessTokenFor(ref)).toBe('at-from-rt-late-b-old');
    expect(zoom.grants).toBe(1);
  });

  test('a waiter whose pub/sub connection is down still wakes, by looking at the lock', async () => {
    const zoom = new HeldZoom();
    const deadSubscriber = connect();
    await deadSubscriber.quit();
    const waiter = manager(zoom, { subscriber: deadSubscriber });
    const holder = manager(zoom);
    const ref = await grantFor(holder, 'deaf');
    const first = holder.accessTokenFor(ref);
    await zoom.held();
    const started = Date.now();
    const second = waiter.accessTokenFor(ref);
    await tick(100);
    zoom.answerAll();
    const [t1, t2] = await Promise.all([first, second]);
    expect(t2).toBe(t1);
    expect(Date.now() - started).toBeLessThan(7_500); // not the lock's 15 s
    expect(zoom.grants).toBe(1);
  });

  test('a lock that is never released: the waiter gives up with a storage error, not a Zoom one', async () => {
    const zoom = new ScriptedZoom([]);
    const m = manager(zoom, { lockTtlMs: 400, waitMarginMs: 200 });
    const ref = await grantFor(m, 'stuck');
    // A holder that keeps extending its lock forever (a stuck process).
    await admin.set(keys.refreshLock('stuck'), 'someone-else', 'PX', 60_000);
    const started = Date.now();
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(Date.now() - started).toBeLessThan(10_000); // not the stuck lock's 60 s
    expect(zoom.grants).toBe(0);
  });
});

describe('the grant’s identity', () => {
  test('a refresh keeps the grant’s id and time; a re-install makes a new grant', async () => {
    const m = manager(new ScriptedZoom([]));
    const ref = await grantFor(m, 'identity');
    const before = await store.get('identity');
    await m.accessTokenFor(ref); // stale: refreshed
    const after = await store.get('identity');
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.grantId).toBe(ref.grantId);
    expect(after?.grantedAt).toBe(before?.grantedAt);

    const again = await m.beginGrant('identity', tokens('reinstall'));
    expect(again.grantId).not.toBe(ref.grantId);
    expect(await m.isCurrent(ref)).toBe(false);
    expect(await m.isCurrent(again)).toBe(true);
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(GrantEndedError);
    expect(await m.accessTokenFor(again)).toBe('at-reinstall');
  });

  test('a refresh that finishes after a re-install does not overwrite the new grant', async () => {
    const zoom = new HeldZoom();
    const m = manager(zoom);
    const ref = await grantFor(m, 'reinstall');
    const pending = m.accessTokenFor(ref);
    await zoom.held();
    const fresh = await m.beginGrant('reinstall', tokens('new-install')); // a re-install's callback
    zoom.answerAll();
    // The old session's request learns its grant is over; the new grant is untouched.
    await expect(pending).rejects.toBeInstanceOf(GrantEndedError);
    expect((await store.get('reinstall'))?.refreshToken).toBe('rt-new-install');
    expect(await m.accessTokenFor(fresh)).toBe('at-new-install');
  });

  test('a refresh that finishes after the grant ended does not bring it back', async () => {
    const zoom = new HeldZoom();
    const m = manager(zoom);
    const ref = await grantFor(m, 'gone');
    const pending = m.accessTokenFor(ref);
    await zoom.held();
    await m.endGrant('gone');
    zoom.answerAll();
    await expect(pending).rejects.toBeInstanceOf(GrantEndedError);
    expect(await store.get('gone')).toBeNull();
  });

  test('endGrant with a time leaves a grant made at or after it, and erases an older one', async () => {
    const m = manager(new ScriptedZoom([]));
    const ref = await grantFor(m, 'late-event', 3_600_000);
    const grantedAt = (await store.get('late-event'))?.grantedAt ?? 0;
    expect(await m.endGrant('late-event', grantedAt)).toEqual({ kind: 'newer_grant' });
    expect(await m.endGrant('late-event', grantedAt - 1)).toEqual({ kind: 'newer_grant' });
    expect(await m.isCurrent(ref)).toBe(true);
    expect(await m.endGrant('late-event', grantedAt + 1)).toEqual({
      kind: 'erased',
      tokenRecord: true,
      sessions: 0,
    });
    expect(await m.isCurrent(ref)).toBe(false);
    // Idempotent: a repeat finds nothing.
    expect(await m.endGrant('late-event', grantedAt + 1)).toEqual({
      kind: 'erased',
      tokenRecord: false,
      sessions: 0,
    });
  });
});

describe('what each of Zoom’s refusals does', () => {
  const dead = [
    [
      'invalid_grant',
      new OAuthError({ kind: 'grant_dead', status: 400, oauthError: 'invalid_grant' }),
    ],
    [
      'Invalid Token! with invalid_request',
      new OAuthError({ kind: 'grant_dead', status: 400, oauthError: 'invalid_request' }),
    ],
    [
      '4741 revoked',
      new OAuthError({
        kind: 'grant_dead',
        status: 400,
        oauthError: 'invalid_request',
        zoomCode: 4741,
      }),
    ],
  ] as const;

  test.each(dead)(
    '%s: the grant and everything of the user is erased, one refresh, reconnect',
    async (label, refusal) => {
      const userId = `dead-${label.length}`;
      const zoom = new ScriptedZoom([refusal]);
      const m = manager(zoom);
      const ref = await grantFor(m, userId);
      await admin.set(keys.actionRateLimit(userId), '3');
      await admin.zadd(keys.userSessions(userId), Date.now() + 60_000, 'sid-1');
      await admin.set(`${keys.sessionPrefix}sid-1`, '{"user":{}}');
      await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(ReconnectRequiredError);
      expect(zoom.grants).toBe(1);
      const left = await admin.exists(
        keys.grantRecord(userId),
        keys.actionRateLimit(userId),
        keys.userSessions(userId),
        keys.refreshLock(userId),
        `${keys.sessionPrefix}sid-1`,
      );
      expect(left).toBe(0);
      // The next request does not refresh again: it finds no grant.
      await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(GrantEndedError);
      expect(zoom.grants).toBe(1);
    },
  );

  test.each([
    [
      'another 4xx',
      new OAuthError({ kind: 'refused', status: 400, oauthError: 'invalid_request' }),
      'refused',
    ],
    [
      'invalid_client',
      new OAuthError({ kind: 'invalid_client', status: 401, oauthError: 'invalid_client' }),
      'invalid_client',
    ],
  ] as const)(
    '%s: the grant is kept, and no process asks Zoom again during the cool-down',
    async (_label, refusal, kind) => {
      const userId = `cool-${kind}`;
      const zoom = new ScriptedZoom([refusal]);
      // The lock lives 300 ms; the cool-down 20 s.
      const a = manager(zoom, { lockTtlMs: 300, coolDownMs: 20_000 });
      const b = manager(zoom, { lockTtlMs: 300, coolDownMs: 20_000 });
      const ref = await grantFor(a, userId);
      await expect(a.accessTokenFor(ref)).rejects.toMatchObject({ kind });
      expect(zoom.grants).toBe(1);
      await tick(1000); // past any lock's life: only the cool-down still holds Zoom off
      // Another page view, on this process and on another one: no second refresh.
      await expect(a.accessTokenFor(ref)).rejects.toMatchObject({ kind });
      await expect(b.accessTokenFor(ref)).rejects.toMatchObject({ kind });
      expect(zoom.grants).toBe(1);
      expect(await a.isCurrent(ref)).toBe(true);
    },
  );

  test('the cool-down tells how long is left, and ends by itself', async () => {
    const zoom = new ScriptedZoom([
      new OAuthError({ kind: 'refused', status: 400, oauthError: 'invalid_request' }),
    ]);
    const m = manager(zoom, { coolDownMs: 3_000 }); // two calls in a row fall inside it
    const ref = await grantFor(m, 'cool-ends');
    await expect(m.accessTokenFor(ref)).rejects.toMatchObject({ kind: 'refused' });
    await expect(m.accessTokenFor(ref)).rejects.toMatchObject({
      kind: 'refused',
      retryAfterSeconds: expect.any(Number) as number,
    });
    await tick(3_100);
    expect(await m.accessTokenFor(ref)).toBe('at-from-rt-cool-ends-old');
    expect(zoom.grants).toBe(2);
  });

  test('Zoom’s 429 closes the refresh for its Retry-After, not for the whole cool-down', async () => {
    const zoom = new ScriptedZoom([
      new OAuthError({ kind: 'rate_limited', status: 429, retryAfterSeconds: 3 }),
    ]);
    const m = manager(zoom);
    const ref = await grantFor(m, 'rate');
    await expect(m.accessTokenFor(ref)).rejects.toMatchObject({ status: 429 });
    await expect(m.accessTokenFor(ref)).rejects.toMatchObject({ status: 429 });
    expect(zoom.grants).toBe(1);
    await tick(3_100);
    expect(await m.accessTokenFor(ref)).toBe('at-from-rt-rate-old');
  });

  test('a 5xx keeps the grant and does not close the refresh', async () => {
    const zoom = new ScriptedZoom([new OAuthError({ kind: 'unavailable', status: 503 })]);
    const m = manager(zoom);
    const ref = await grantFor(m, 'flaky');
    await expect(m.accessTokenFor(ref)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(await m.accessTokenFor(ref)).toBe('at-from-rt-flaky-old');
    expect(zoom.grants).toBe(2);
  });

  test('a re-install during a cool-down is used at once', async () => {
    const zoom = new ScriptedZoom([
      new OAuthError({ kind: 'refused', status: 400, oauthError: 'invalid_request' }),
    ]);
    const m = manager(zoom);
    const ref = await grantFor(m, 'cool-reinstall');
    await expect(m.accessTokenFor(ref)).rejects.toMatchObject({ kind: 'refused' });
    const fresh = await m.beginGrant('cool-reinstall', tokens('after'));
    expect(await m.accessTokenFor(fresh)).toBe('at-after');
  });
});

describe('the sweep’s check', () => {
  test('a grant Zoom honours is refreshed without renewing its time to live', async () => {
    const m = manager(new ScriptedZoom([]));
    await grantFor(m, 'idle', 3_600_000); // fresh: a request would not refresh it
    await admin.expire(keys.grantRecord('idle'), 100);
    expect(await m.verifyWithZoom('idle')).toBe('alive');
    expect((await store.get('idle'))?.accessToken).toBe('at-from-rt-idle-old');
    expect(await admin.ttl(keys.grantRecord('idle'))).toBeLessThanOrEqual(100);
  });

  test('a grant Zoom refuses is erased', async () => {
    const m = manager(
      new ScriptedZoom([
        new OAuthError({ kind: 'grant_dead', status: 400, oauthError: 'invalid_grant' }),
      ]),
    );
    await grantFor(m, 'revoked-quietly', 3_600_000);
    expect(await m.verifyWithZoom('revoked-quietly')).toBe('dead');
    expect(await store.get('revoked-quietly')).toBeNull();
    expect(await m.verifyWithZoom('revoked-quietly')).toBe('gone');
  });
});

describe('the re-read under the lock', () => {
  /** Zoom's answer to a REST call made with a token it no longer honours. */
  const refused = (): ZoomApiError =>
    new ZoomApiError({
      kind: 'unauthorized',
      status: 401,
      code: 124,
      zoomMessage: 'Invalid access token.',
    });

  test('a 401 that reaches the lock after another process refreshed: its token is used, no second grant', async () => {
    const zoom = new ScriptedZoom([]);
    const a = manager(zoom);
    const b = manager(zoom);
    const ref = await grantFor(a, 'recheck', 3_600_000); // fresh: no refresh before the call
    const used: string[] = [];
    const answer = await b.withAccessToken(ref, async (token) => {
      used.push(token);
      if (token !== 'at-recheck-old') return `listed with ${token}`;
      // Zoom refuses B's token because process A is refreshing it: A's refresh is written and
      // its lock released before B asks for the lock.
      await a.withAccessToken(ref, (t) =>
        t === 'at-recheck-old' ? Promise.reject(refused()) : Promise.resolve(t),
      );
      expect(await admin.exists(keys.refreshLock('recheck'))).toBe(0);
      throw refused();
    });
    expect(zoom.grants).toBe(1);
    expect(used).toEqual(['at-recheck-old', 'at-from-rt-recheck-old']);
    expect(answer).toBe('listed with at-from-rt-recheck-old');
    expect((await store.get('recheck'))?.refreshToken).toBe('rt-from-rt-recheck-old');
  });
});
