import { startRedisServer, type RunningRedis } from '../harness/redis';

declare global {
  var __redisServer: RunningRedis | undefined;
}

/** One real redis-server for the whole run; each test file isolates itself by key prefix. */
export default async function globalSetup(): Promise<void> {
  // Two projects reach this through different setup files: one server, or the first would leak.
  if (globalThis.__redisServer) return;
  const redis = await startRedisServer();
  globalThis.__redisServer = redis;
  process.env.TEST_REDIS_URL = redis.url;
}
