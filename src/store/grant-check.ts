import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import {
  UnreadableTokenRecordError,
  type CoolDown,
  type ErasedGrant,
  type TokenRecord,
} from '../zoom/grant';
import type { Begun, GrantChecks, HeldGrant, Kept, Peek } from '../zoom/grant-check';
import type { RedisKeys } from './keys';
import { extendLock, releaseLock } from './lock';
import { deleteEach, type RedisClient } from './redis';
import type { ReplicaAcks } from './replica-acks';
import type { RedisTokenStore } from './token-store';

/**
 * The sweep's check of one idle grant, in as few Redis commands as its guarantees allow: the
 * same refresh lock as every refresh (`RedisLock`'s key, owner and cool-down values, and its
 * release message), the same compare-and-set of the sealed record, the same erase. Where the
 * general path takes 13 commands in 7 round trips, this takes 8 in 2 (SET NX + GET pipelined;
 * then one script that writes and releases), plus a share of a page's MGET.
 *
 * Anything unusual (the lock held by someone else, or cooling down) is left to the token
 * manager's general path by the caller.
 */

// KEYS[1] the record, KEYS[2] the lock. ARGV[1] the sealed record seen, ARGV[2] the new one,
// ARGV[3] the lock's owner, ARGV[4] the release channel. Writes only over what was seen
// (keeping the TTL: a check is not use), then releases the lock if still ours.
// Returns 1 when written, 0 when not.
const KEEP_AND_RELEASE = `
local wrote = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  wrote = 1
end
if redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('DEL', KEYS[2])
  redis.call('PUBLISH', ARGV[4], KEYS[2])
end
return wrote`;

// The token store's ERASE (same keys, same compare), with the lock among the user's other
// keys: erasing releases it; the release message wakes any waiter.
// KEYS[1] the record, KEYS[2] the session index, KEYS[3..] the user's other keys (the lock
// among them). ARGV[1] the sealed record seen, ARGV[2] the channel, ARGV[3] the lock key,
// ARGV[4] the lock's owner. Returns nil when the record is not what was seen (the lock is then
// released if still ours), else { records deleted, session ids }.
const ERASE_AND_RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  if redis.call('GET', ARGV[3]) == ARGV[4] then
    redis.call('DEL', ARGV[3])
    redis.call('PUBLISH', ARGV[2], ARGV[3])
  end
  return nil
end
local sids = redis.call('ZRANGE', KEYS[2], 0, -1)
local had = redis.call('DEL', unpack(KEYS))
redis.call('PUBLISH', ARGV[2], ARGV[3])
return { had > 0 and 1 or 0, sids }`;

export class RedisGrantChecks implements GrantChecks {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly store: Pick<RedisTokenStore, 'seal' | 'unseal'>,
    private readonly lockTtlMs: number,
    private readonly replicas?: ReplicaAcks,
  ) {}

  /** The records of a page of users: one MGET (on a cluster, whose slots differ, a GET each). */
  async peek(userIds: readonly string[]): Promise<Peek[]> {
    if (userIds.length === 0) return [];
    const names = userIds.map((id) => this.keys.grantRecord(id));
    const values =
      this.redis instanceof Cluster
        ? await Promise.all(names.map((k) => this.redis.get(k)))
        : await this.redis.mget(...names);
    return values.map((sealed, i) => {
      if (sealed === null) return { kind: 'gone' };
      try {
        return { kind: 'record', record: this.store.unseal(userIds[i]!, sealed) };
      } catch (err) {
        if (err instanceof UnreadableTokenRecordError) return { kind: 'unreadable' };
        throw err;
      }
    });
  }

  /** Takes the user's refresh lock and reads the record under it, in one round trip. */
  async begin(userId: string): Promise<Begun> {
    const owner = randomBytes(16).toString('hex');
    const lockKey = this.keys.refreshLock(userId);
    // A pipeline, not MULTI (two more commands): a write between the two is one a MULTI
    // would let in just after, and the writes compare what was read anyway.
    const replies = await this.redis
      .pipeline()
      .set(lockKey, owner, 'PX', this.lockTtlMs, 'NX')
      .get(this.keys.grantRecord(userId))
      .exec();
    if (!replies) throw new Error('the check’s first step was not run');
    for (const [err] of replies) if (err) throw err;
    const [[, taken], [, sealed]] = replies as [[null, string | null], [null, string | null]];
    if (taken !== 'OK') return { kind: 'busy' };
    if (sealed === null) {
      await this.release({ userId, owner });
      return { kind: 'gone' };
    }
    try {
      const record = this.store.unseal(userId, sealed);
      return { kind: 'held', grant: { userId, owner, sealed, record } };
    } catch (err) {
      await this.release({ userId, owner });
      if (err instanceof UnreadableTokenRecordError) return { kind: 'unreadable' };
      throw err;
    }
  }

  /**
   * Writes the refreshed record over the one read under the lock (never over anything newer),
   * keeping its TTL, and releases the lock; waits for a replica as every refresh's write does.
   */
  async keep(grant: HeldGrant, next: TokenRecord): Promise<Kept> {
    const recordKey = this.keys.grantRecord(grant.userId);
    const sealedNext = this.store.seal(grant.userId, next);
    let seen = grant.sealed;
    for (;;) {
      const wrote = await this.redis.eval(
        KEEP_AND_RELEASE,
        2,
        recordKey,
        this.keys.refreshLock(grant.userId),
        seen,
        sealedNext,
        grant.owner,
        this.keys.lockReleasedChannel,
      );
      if (wrote === 1) {
        await this.replicas?.confirm(recordKey);
        return { kind: 'written' };
      }
      const now = await this.redis.get(recordKey);
      if (now === null) return { kind: 'gone' };
      if (now === sealedNext) return { kind: 'written' }; // an earlier try that failed to answer
      let stored: TokenRecord;
      try {
        stored = this.store.unseal(grant.userId, now);
      } catch {
        return { kind: 'superseded' };
      }
      // Re-sealed with the same tokens (a key rotation): compare against that.
      if (stored.refreshToken !== grant.record.refreshToken) return { kind: 'superseded' };
      if (stored.grantId !== grant.record.grantId) return { kind: 'superseded' };
      seen = now;
    }
  }

  /**
   * Zoom refused the grant: erases everything of the user (as the token store's erase does)
   * if the record is still the one read under the lock; null when it changed meanwhile.
   */
  async erase(grant: HeldGrant): Promise<ErasedGrant | null> {
    const { userId } = grant;
    const lockKey = this.keys.refreshLock(userId);
    const keys = [
      this.keys.grantRecord(userId),
      this.keys.userSessions(userId),
      ...this.keys.otherUserKeys(userId),
    ];
    const reply = (await this.redis.eval(
      ERASE_AND_RELEASE,
      keys.length,
      ...keys,
      grant.sealed,
      this.keys.lockReleasedChannel,
      lockKey,
      grant.owner,
    )) as [number, string[]] | null;
    if (reply === null) return null;
    const [had, sessionIds] = reply;
    const sessions = await deleteEach(
      this.redis,
      sessionIds.map((sid) => this.keys.sessionPrefix + sid),
    );
    return { tokenRecord: had === 1, sessions };
  }

  /** Frees the lock (or closes it for a cool-down, as a refused refresh does). */
  async release(grant: Pick<HeldGrant, 'userId' | 'owner'>, coolDown?: CoolDown): Promise<void> {
    await releaseLock(
      this.redis,
      { key: this.keys.refreshLock(grant.userId), owner: grant.owner },
      this.keys.lockReleasedChannel,
      coolDown,
    );
  }

  /** Keeps the lock while Zoom is slow (as `LockedSingleFlight`'s heartbeat does). */
  async extend(grant: Pick<HeldGrant, 'userId' | 'owner'>): Promise<void> {
    await extendLock(
      this.redis,
      { key: this.keys.refreshLock(grant.userId), owner: grant.owner },
      this.lockTtlMs,
    );
  }

  get lockLifeMs(): number {
    return this.lockTtlMs;
  }
}
