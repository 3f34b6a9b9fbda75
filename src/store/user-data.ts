import type Redis from 'ioredis';
import type { RedisKeys } from './keys';

/**
 * Everything the app keeps for one user, and how it all goes away together: the sealed token
 * record, the refresh lock, the actions rate-limit counter, the user's sessions, and the index
 * of those sessions (a sorted
 * set of session ids scored by expiry, so expired ids are pruned as new ones arrive).
 */

// Deletes the user's sessions, their index, the token record and the lock in one step, so a
// concurrent sign-in cannot slip a session in between.
const DELETE_USER = `
local sids = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, sid in ipairs(sids) do redis.call('DEL', ARGV[1] .. sid) end
redis.call('DEL', KEYS[1])
local tokens = redis.call('DEL', KEYS[2])
redis.call('DEL', KEYS[3], KEYS[4])
return { #sids, tokens }`;

// Ends every session of the user (and the index), nothing else.
const END_SESSIONS = `
local sids = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, sid in ipairs(sids) do redis.call('DEL', ARGV[1] .. sid) end
redis.call('DEL', KEYS[1])
return #sids`;

export interface DeletedUserData {
  readonly sessions: number;
  readonly tokenRecord: boolean;
}

export class UserDataStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Called on sign-in: remember the session so deauthorization can end it. */
  async registerSession(userId: string, sessionId: string, expiresAt: number): Promise<void> {
    const index = this.keys.userSessions(userId);
    await this.redis
      .multi()
      .zremrangebyscore(index, '-inf', Date.now())
      .zadd(index, expiresAt, sessionId)
      .pexpireat(index, expiresAt)
      .exec();
  }

  /** Called on sign-out and whenever a session ends by our hand. */
  async unregisterSession(userId: string, sessionId: string): Promise<void> {
    await this.redis.zrem(this.keys.userSessions(userId), sessionId);
  }

  async sessionCount(userId: string): Promise<number> {
    const index = this.keys.userSessions(userId);
    await this.redis.zremrangebyscore(index, '-inf', Date.now());
    return this.redis.zcard(index);
  }

  /**
   * Ends every session of the user, on every process. Used when Zoom refused the grant: the
   * token record was already deleted by a compare-and-delete, and must not be deleted blindly
   * here (a re-install may have just written a new one).
   */
  async endAllSessions(userId: string): Promise<number> {
    const n = await this.redis.eval(
      END_SESSIONS,
      1,
      this.keys.userSessions(userId),
      this.keys.sessionPrefix,
    );
    return Number(n);
  }

  /** Deletes everything the app keeps for the user. Idempotent. */
  async deleteAll(userId: string): Promise<DeletedUserData> {
    const result = (await this.redis.eval(
      DELETE_USER,
      4,
      this.keys.userSessions(userId),
      this.keys.tokens(userId),
      this.keys.refreshLock(userId),
      this.keys.actionRateLimit(userId),
      this.keys.sessionPrefix,
    )) as [number, number];
    return { sessions: result[0], tokenRecord: result[1] === 1 };
  }
}
