import type { RedisClient } from '../../src/store/redis';

/**
 * A key's time to live judged by what was set, not by what is left: the absolute expiry Redis
 * stores (PEXPIRETIME) against Redis's own clock around the write. Load can only widen the
 * window; it can never fail a correct TTL, as "more than N ms left" can on a busy machine.
 */

/** Redis's clock, in milliseconds. */
async function redisClock(redis: RedisClient): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Number(micros) / 1000;
}

/** When `key` expires, in ms on Redis's clock; -1 with no expiry, -2 with no key. */
export async function expiryOf(redis: RedisClient, key: string): Promise<number> {
  return Number(await redis.call('PEXPIRETIME', key));
}

/** Runs `write`, then checks that it gave `key` a life of exactly `ttlMs` from the write. */
export async function expectLifeSetBy<T>(
  redis: RedisClient,
  key: string,
  ttlMs: number,
  write: () => Promise<T>,
): Promise<T> {
  const before = await redisClock(redis);
  const result = await write();
  const after = await redisClock(redis);
  const expiry = await expiryOf(redis, key);
  expect(expiry).toBeGreaterThanOrEqual(Math.floor(before) + ttlMs);
  expect(expiry).toBeLessThanOrEqual(Math.ceil(after) + ttlMs);
  return result;
}
