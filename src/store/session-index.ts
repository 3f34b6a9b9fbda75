import type { RedisClient } from './redis';
import type { RedisKeys } from './keys';

/**
 * The ids of each user's sessions (a sorted set scored by expiry, so expired ids are pruned as
 * new ones arrive), so that ending a grant can end every session signed in with it.
 */

// Only while the user has a grant: an index written after the grant ended would outlive it.
const REGISTER = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`;

export class SessionIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Called on sign-in, before the session is saved. False when the grant is already gone. */
  async register(userId: string, sessionId: string, expiresAt: number): Promise<boolean> {
    const n = await this.redis.eval(
      REGISTER,
      2,
      this.keys.userSessions(userId),
      this.keys.grantRecord(userId),
      Date.now(),
      expiresAt,
      sessionId,
    );
    return n === 1;
  }

  /** Called on sign-out and whenever a session ends by our hand. */
  async unregister(userId: string, sessionId: string): Promise<void> {
    await this.redis.zrem(this.keys.userSessions(userId), sessionId);
  }
}
