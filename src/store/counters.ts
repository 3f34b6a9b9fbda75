import type { RedisClient } from './redis';

/**
 * Fixed-window hit counters shared by every process (rate limits). One round trip per hit:
 * INCR, and the window's expiry set on the first hit (or repaired if ever missing).
 */

const HIT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { n, ttl }`;

export interface WindowHits {
  readonly count: number;
  readonly resetAt: number;
}

export class RedisCounters {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async hit(key: string, windowMs: number, now = Date.now()): Promise<WindowHits> {
    const [count, ttl] = (await this.redis.eval(HIT, 1, this.prefix + key, windowMs)) as [
      number,
      number,
    ];
    return { count, resetAt: now + ttl };
  }

  async undo(key: string): Promise<void> {
    await this.redis.decr(this.prefix + key);
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
