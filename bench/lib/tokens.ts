import type Redis from 'ioredis';
import { loadConfig } from '../../src/config';
import { RecordCipher } from '../../src/store/crypto';
import { RedisKeys } from '../../src/store/keys';
import { RedisTokenStore } from '../../src/store/token-store';
import type { TokenRecord } from '../../src/zoom/grant';

/**
 * The app's own token store, opened with the run's TOKEN_ENCRYPTION_KEY and REDIS_KEY_PREFIX,
 * to read the access token (for the baseline) and to make the stored token stale.
 */
export function tokenStoreFor(redis: Redis, appEnv: Record<string, string>): RedisTokenStore {
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

/** Rewrites the record so its access token expired `agoMs` ago (decrypt, edit, re-seal). */
export async function makeStoredTokenStale(
  store: RedisTokenStore,
  userId: string,
  agoMs = 1_000,
): Promise<void> {
  const record = await storedRecord(store, userId);
  await store.put(userId, { ...record, accessExpiresAt: Date.now() - agoMs });
}
