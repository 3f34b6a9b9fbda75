import type { RedisClient } from '../src/store/redis';
import { openBurst } from './load';
import { FORWARDED, type Stack } from './stack';

/**
 * Redis commands per warm `GET /`, from the server's own counters (INFO commandstats) before
 * and after N sequential requests. Only the bench uses its Redis and our INFO calls are left
 * out, so the difference is the app's. The design says 3: the session, the token record and
 * the removal history.
 */

async function commandCalls(redis: RedisClient): Promise<Map<string, number>> {
  const stats = await redis.info('commandstats');
  const calls = [...stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)];
  return new Map(calls.filter((m) => m[1] !== 'info').map((m) => [m[1] ?? '', Number(m[2])]));
}

export async function benchRedisCommands(stack: Stack, requests: number) {
  const burst = await openBurst([stack.app.url], 1, { ...FORWARDED, cookie: stack.cookie });
  try {
    for (let i = 0; i < 10; i++) await burst.fire(1); // warm: nothing left to write back
    const before = await commandCalls(stack.admin);
    let failed = 0;
    for (let i = 0; i < requests; i++) failed += (await burst.fire(1)).failed;
    const byCommand: Record<string, number> = {};
    for (const [command, calls] of await commandCalls(stack.admin)) {
      const delta = calls - (before.get(command) ?? 0);
      if (delta > 0) byCommand[command] = delta / requests;
    }
    const perRequest = Object.values(byCommand).reduce((a, b) => a + b, 0);
    return { requests, failed, perRequest, byCommand };
  } finally {
    burst.close();
  }
}

export type RedisCommandsResult = Awaited<ReturnType<typeof benchRedisCommands>>;
