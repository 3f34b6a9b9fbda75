import type { RedisClient } from './redis';

/** Sessions in Redis: one string per session id under the session prefix, with a TTL. */
export class RedisSessionRecords {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  get(sid: string): Promise<string | null> {
    return this.redis.get(this.prefix + sid);
  }

  async put(sid: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + sid, value, 'EX', ttlSeconds);
  }

  async delete(sid: string): Promise<void> {
    await this.redis.del(this.prefix + sid);
  }
}
