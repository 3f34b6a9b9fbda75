import { loadConfig } from '../../src/config';
import { RecordCipher } from '../../src/store/crypto';
import { RedisKeys } from '../../src/store/keys';
import { RedisTokenStore } from '../../src/store/token-store';
import type { TokenRecord } from '../../src/zoom/grant';
import type { Stack } from './stack';

/** Direct access to a stack's token records, for arranging and asserting. */
export function tokenStoreOf(stack: Stack): RedisTokenStore {
  const config = loadConfig(stack.env);
  return new RedisTokenStore(
    stack.admin,
    new RedisKeys(config.redis.keyPrefix),
    new RecordCipher(config.tokens.encryptionKeys),
    config.tokens.recordTtlSeconds,
  );
}

export async function userIdOf(stack: Stack, user: string): Promise<string> {
  const snap = await stack.control.get<{ user: { id: string } }>(`/users/${user}`);
  return snap.user.id;
}

/** Makes the stored access token look `msLeft` from expiry (negative: already expired). */
export async function ageStoredToken(
  stack: Stack,
  userId: string,
  msLeft: number,
): Promise<TokenRecord> {
  const store = tokenStoreOf(stack);
  const rec = await store.get(userId);
  if (!rec) throw new Error('no token record to age');
  const aged = { ...rec, accessExpiresAt: Date.now() + msLeft };
  await store.put(userId, aged);
  return aged;
}

/** Any key's value as text, whatever its type (for "no secret in Redis" assertions). */
export async function valueOf(stack: Stack, key: string): Promise<string> {
  const type = await stack.admin.type(key);
  switch (type) {
    case 'string':
      return (await stack.admin.get(key)) ?? '';
    case 'zset':
      return JSON.stringify(await stack.admin.zrange(key, '0', '-1', 'WITHSCORES'));
    case 'set':
      return JSON.stringify(await stack.admin.smembers(key));
    case 'hash':
      return JSON.stringify(await stack.admin.hgetall(key));
    case 'list':
      return JSON.stringify(await stack.admin.lrange(key, 0, -1));
    default:
      return '';
  }
}
