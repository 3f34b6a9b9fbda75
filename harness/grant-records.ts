import { loadConfig } from '../src/config';
import { RecordCipher } from '../src/store/crypto';
import { RedisKeys } from '../src/store/keys';
import type { RedisClient } from '../src/store/redis';
import { RedisTokenStore } from '../src/store/token-store';
import type { TokenRecord } from '../src/zoom/grant';

/**
 * The app's own token records, opened with a run's TOKEN_ENCRYPTION_KEY and REDIS_KEY_PREFIX:
 * for arranging (a stale token) and asserting (nothing left, nothing in clear).
 */
export function tokenStoreFor(redis: RedisClient, appEnv: Record<string, string>): RedisTokenStore {
  const config = loadConfig(appEnv);
  return new RedisTokenStore(
    redis,
    new RedisKeys(config.redis.keyPrefix),
    new RecordCipher(config.tokens.encryptionKeys),
    config.tokens.recordTtlSeconds,
  );
}

export async function storedRecord(store: RedisTokenStore, userId: string): Promise<TokenRecord> {
  const record = await store.get(userId);
  if (!record) throw new Error(`no token record for ${userId}`);
  return record;
}

/** Rewrites the record so its access token expires `msLeft` from now (negative: expired). */
export async function makeTokenStale(
  store: RedisTokenStore,
  userId: string,
  msLeft = -1_000,
): Promise<TokenRecord> {
  const aged = { ...(await storedRecord(store, userId)), accessExpiresAt: Date.now() + msLeft };
  await store.put(userId, aged);
  return aged;
}

/** Any key's value as text, whatever its type (for "nothing names the user" assertions). */
export async function valueOf(redis: RedisClient, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'zset':
      return JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    default:
      return '';
  }
}

/** Keys (on any node) whose name or value names the user: what must be gone after an erase. */
export async function keysNamingUser(
  stack: { keys(): Promise<string[]>; readonly admin: RedisClient },
  userId: string,
  email: string,
): Promise<string[]> {
  const found: string[] = [];
  for (const k of await stack.keys()) {
    const v = await valueOf(stack.admin, k);
    if (k.includes(userId) || v.includes(userId) || v.includes(email)) found.push(k);
  }
  return found;
}
