import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { deriveEncryptionKey } from '../../src/config';
import { createLogger } from '../../src/log';
import { RecordCipher } from '../../src/store/crypto';
import { RedisKeys } from '../../src/store/keys';
import { RedisLock } from '../../src/store/lock';
import { createRedis } from '../../src/store/redis';
import { RedisTokenStore } from '../../src/store/token-store';
import type { TokenRefresher } from '../../src/zoom/oauth';
import { ReconnectRequiredError, TokenManager } from '../../src/zoom/token-manager';
import type { TokenSet } from '../../src/zoom/token-response';

/**
 * The token manager's races, with a Zoom whose answers the test releases by hand, on a real
 * Redis: what a slow refresh meets while it is in flight.
 */

const url = process.env.TEST_REDIS_URL ?? '';
const keys = new RedisKeys(`tm${randomBytes(3).toString('hex')}:`);
const cipher = new RecordCipher([deriveEncryptionKey(randomBytes(32))]);
const logger = createLogger('silent');
const connections: Redis[] = [];

function connect(): Redis {
  const r = createRedis({ url, tlsRejectUnauthorized: false });
  r.on('error', () => undefined);
  connections.push(r);
  return r;
}

/** A Zoom whose refresh answers wait until the test says so; it counts the grants. */
class HeldZoom implements TokenRefresher {
  grants = 0;
  private release: (() => void)[] = [];
  async refresh(refreshToken: string): Promise<TokenSet> {
    this.grants++;
    await new Promise<void>((r) => this.release.push(r));
    return tokens(`from-${refreshToken}`);
  }
  answerAll(): void {
    for (const r of this.release.splice(0)) r();
  }
}

function tokens(tag: string, expiresInMs = 3_600_000): TokenSet {
  return {
    accessToken: `at-${tag}`,
    refreshToken: `rt-${tag}`,
    accessExpiresAt: Date.now() + expiresInMs,
    scopes: ['user:read:user'],
    apiUrl: null,
  };
}

function manager(zoom: TokenRefresher, lockTtlMs = 15_000, subscriber = connect()): TokenManager {
  const redis = connect();
  return new TokenManager({
    store: new RedisTokenStore(redis, keys, cipher, 3600),
    lock: new RedisLock(redis, subscriber, keys.lockReleasedChannel),
    keys,
    refresher: zoom,
    logger,
    refreshMarginMs: 60_000,
    lockTtlMs,
    refreshWaitMarginMs: 2_000,
    defaultApiUrl: 'https://api.example/v2',
  });
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  const admin = connect();
  const found = await admin.keys(`${keys.prefix}*`);
  if (found.length) await admin.del(...found);
  await Promise.allSettled(connections.map((c) => c.quit()));
});

test('a refresh slower than the lock’s life keeps its lock: another process waits, one grant', async () => {
  const zoom = new HeldZoom();
  const a = manager(zoom, 300);
  const b = manager(zoom, 300);
  await a.storeGrant('slow', tokens('old', 1000)); // inside the 60 s margin: stale
  const first = a.accessTokenFor('slow');
  await tick(50);
  const second = b.accessTokenFor('slow');
  await tick(1000); // more than three lock lives
  zoom.answerAll();
  const [ta, tb] = await Promise.all([first, second]);
  expect(zoom.grants).toBe(1);
  expect(ta).toBe('at-from-rt-old');
  expect(tb).toBe(ta);
});

test('a refresh that finishes after a re-install does not overwrite the new grant', async () => {
  const zoom = new HeldZoom();
  const m = manager(zoom);
  await m.storeGrant('reinstall', tokens('old', 1000));
  const pending = m.accessTokenFor('reinstall');
  await tick(50);
  await m.storeGrant('reinstall', tokens('new-install')); // the callback of a re-install
  zoom.answerAll();
  expect(await pending).toBe('at-new-install');
  expect((await m.currentRecord('reinstall'))?.refreshToken).toBe('rt-new-install');
});

test('a refresh that finishes after the record was deleted does not bring it back', async () => {
  const zoom = new HeldZoom();
  const m = manager(zoom);
  await m.storeGrant('gone', tokens('old', 1000));
  const pending = m.accessTokenFor('gone');
  await tick(50);
  await m.forget('gone');
  zoom.answerAll();
  await expect(pending).rejects.toBeInstanceOf(ReconnectRequiredError);
  expect(await m.currentRecord('gone')).toBeNull();
});

test('a waiter whose pub/sub connection is down still wakes, by looking at the lock', async () => {
  const zoom = new HeldZoom();
  const deadSubscriber = connect();
  await deadSubscriber.quit();
  const waiter = manager(zoom, 15_000, deadSubscriber);
  const holder = manager(zoom);
  await holder.storeGrant('deaf', tokens('old', 1000));
  const first = holder.accessTokenFor('deaf');
  await tick(50);
  const started = Date.now();
  const second = waiter.accessTokenFor('deaf');
  await tick(100);
  zoom.answerAll();
  const [t1, t2] = await Promise.all([first, second]);
  expect(t2).toBe(t1);
  expect(Date.now() - started).toBeLessThan(1500); // not the lock's 15 s
  expect(zoom.grants).toBe(1);
});
