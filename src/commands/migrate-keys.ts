import { loadConfigOrExit } from '../config';
import { failureLine, lastRedisErrorOf, runCommand } from './command';
import { migrateKeyLayout } from '../store/key-layout';
import { RedisKeys } from '../store/keys';
import { createRedis } from '../store/redis';

/**
 * `npm run migrate-keys`: once, when upgrading from the first key layout, with the web
 * processes stopped (README "Scaling past one Redis"). Exit 0 when done (or nothing to do),
 * 1 on a configuration or Redis error (run again: it is safe to).
 */
async function main(): Promise<number> {
  const config = loadConfigOrExit();
  if (config.redis.cluster) {
    process.stderr.write(
      'migrate-keys runs on the one Redis server the app used before (REDIS_CLUSTER unset);\n' +
        'move the data to the cluster after it.\n',
    );
    return 1;
  }
  const redis = createRedis(config.redis, 'migrate-keys');
  const lastRedisError = lastRedisErrorOf(redis);
  try {
    const report = await migrateKeyLayout(redis, new RedisKeys(config.redis.keyPrefix));
    const lines = [
      `migrate-keys: per-user keys under ${config.redis.keyPrefix} now carry the user id as a hash tag`,
      `  moved              ${report.moved}`,
      `  kept (newer there) ${report.kept}`,
      `  dropped            ${report.dropped}  (refresh locks and rate-limit counters)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(failureLine('migrate-keys', err, lastRedisError(), 'run it again.'));
    return 1;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

runCommand(module, main);
