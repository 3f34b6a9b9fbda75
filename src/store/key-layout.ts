import type { RedisKeys } from './keys';
import type { RedisClient } from './redis';
import { escapeGlob, scanKeys } from './scan';

/**
 * The one-off move from the first key layout (`tokens:<id>`) to the hash-tagged one
 * (`tokens:{<id>}`) that a Redis Cluster needs. Run on the one server, with the app stopped:
 * while an old process still runs it writes the old names, and a refresh token it rotates
 * there would be invisible to the new version (which would then refresh with a dead one).
 *
 * Kept: the token record, the session index and the removal history (renamed, TTL and all).
 * Dropped: the refresh lock and the per-user action counter (they live seconds). Where the new
 * name already holds a value, the new version wrote it, so it wins; a history is merged.
 * Safe to run again: a second run finds nothing to move.
 */

export interface KeyLayoutReport {
  moved: number;
  /** The new name was taken: the old value dropped (a history merged into it). */
  kept: number;
  dropped: number;
}

// KEYS[1] the old name, KEYS[2] the new. ARGV[1] 'merge' for a hash.
const MOVE = `
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  return 1
end
if ARGV[1] == 'merge' then
  local fields = redis.call('HGETALL', KEYS[1])
  for i = 1, #fields, 2 do redis.call('HSETNX', KEYS[2], fields[i], fields[i + 1]) end
end
redis.call('DEL', KEYS[1])
return 0`;

export async function migrateKeyLayout(
  redis: RedisClient,
  keys: RedisKeys,
): Promise<KeyLayoutReport> {
  const report: KeyLayoutReport = { moved: 0, kept: 0, dropped: 0 };
  const kinds: {
    prefix: string;
    newName: (id: string) => string;
    how: 'move' | 'merge' | 'drop';
  }[] = [
    { prefix: keys.grantRecordPrefix, newName: (id) => keys.grantRecord(id), how: 'move' },
    { prefix: keys.userSessionsPrefix, newName: (id) => keys.userSessions(id), how: 'move' },
    { prefix: keys.historyPrefix, newName: (id) => keys.history(id), how: 'merge' },
    { prefix: keys.refreshLockPrefix, newName: (id) => keys.refreshLock(id), how: 'drop' },
    {
      prefix: keys.actionRateLimitPrefix,
      newName: (id) => keys.actionRateLimit(id),
      how: 'drop',
    },
  ];
  for (const kind of kinds) {
    for await (const page of scanKeys(redis, `${escapeGlob(kind.prefix)}*`)) {
      for (const old of page) {
        const id = old.slice(kind.prefix.length);
        if (id.startsWith('{') || id.length === 0) continue; // already the new layout
        if (kind.how === 'drop') {
          report.dropped += await redis.del(old);
          continue;
        }
        const moved = await redis.eval(MOVE, 2, old, kind.newName(id), kind.how);
        if (moved === 1) report.moved += 1;
        else report.kept += 1;
      }
    }
  }
  return report;
}
