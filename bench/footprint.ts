import { createHmac, randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '../harness/browser';
import type { RedisClient } from '../src/store/redis';
import { openBurst, runLoad } from './load';
import { memoryMb, spread, sum } from './measure';
import type { Settings } from './settings';
import { expectList, FORWARDED, LISTED, type NodeBinary, type Stack } from './stack';

// What a request and a process cost besides CPU: Redis commands, start-up time, memory.
/** Calls per command from INFO commandstats, without our own INFO calls. */
async function commandCalls(redis: RedisClient): Promise<Map<string, number>> {
  const stats = await redis.info('commandstats');
  const calls = [...stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)];
  return new Map(calls.filter((m) => m[1] !== 'info').map((m) => [m[1] ?? '', Number(m[2])]));
}
/** Redis commands per warm `GET /`: the server's counters around N sequential requests. */
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
    return { requests, failed, perRequest: sum(Object.values(byCommand)), byCommand };
  } finally {
    burst.close();
  }
}
/** Spawn of the Procfile command → first /readyz 200 (polled every 5 ms), and the RSS then. */
export async function benchStartup(stack: Stack, runs: number, node: NodeBinary) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const app = await stack.startApp({ pollMs: 5, node: node.bin });
    all.push({ readyMs: app.readyAt - app.spawnedAt, rssMb: memoryMb(app.pid).rss });
    await app.stop();
  }
  const [readyMs, rssMb] = [spread(all.map((r) => r.readyMs)), spread(all.map((r) => r.rssMb))];
  return { node: node.version, runs: all, readyMs, rssMb };
}
/** Copies ada's signed-in session to `count` new ids; express-session's cookie for each. */
async function copySessions(stack: Stack, count: number): Promise<string[]> {
  const prefix = `${stack.env.REDIS_KEY_PREFIX ?? 'zar:'}sess:`;
  const key = `${prefix}${stack.sessionId}`;
  const [session, ttl] = await Promise.all([stack.admin.get(key), stack.admin.ttl(key)]);
  if (session === null || ttl <= 0) throw new Error(`the signed-in session ${key} is not in Redis`);
  const pipeline = stack.admin.pipeline();
  const ids = Array.from({ length: count }, () => randomBytes(24).toString('base64url'));
  for (const id of ids) pipeline.set(`${prefix}${id}`, session, 'EX', ttl);
  await pipeline.exec();
  // `s:<id>.<base64 HMAC-SHA256(id, secret)>`, no '=', URL-encoded.
  const secret = stack.env.SESSION_SECRET ?? '';
  const sign = (id: string) => createHmac('sha256', secret).update(id).digest('base64');
  return ids.map(
    (id) => `${SESSION_COOKIE}=${encodeURIComponent(`s:${id}.${sign(id).replace(/=+$/, '')}`)}`,
  );
}
/** A fresh process, each request another session; peak = max(VmRSS every 250 ms, VmHWM). */
export async function benchMemory(stack: Stack, s: Settings, node: NodeBinary) {
  const cookies = await copySessions(stack, s.sessions);
  const app = await stack.startApp({ node: node.bin });
  try {
    const url = `${app.url}/`;
    for (const cookie of [cookies[0], cookies.at(-1)]) await expectList(url, cookie ?? '', LISTED);
    const idleRssMb = memoryMb(app.pid).rss;
    let peak = idleRssMb;
    const sample = (): void => void (peak = Math.max(peak, memoryMb(app.pid).rss));
    const [connections, durationSec, headers] = [s.memoryConnections, s.memorySec, FORWARDED];
    // Zoom list calls per answer: about 1 when every request was a signed-in dashboard.
    const listed = async (): Promise<number> =>
      (await stack.sandbox.control.stats()).list_assistants ?? 0;
    const listedBefore = await listed();
    const load = await runLoad({ url, connections, durationSec, headers, cookies, sample });
    const zoomCallsPerRequest = ((await listed()) - listedBefore) / Math.max(1, load.ok);
    const peakRssMb = Math.max(peak, memoryMb(app.pid).hwm);
    const figures = { idleRssMb, peakRssMb, load, zoomCallsPerRequest };
    return { node: node.version, sessions: s.sessions, connections, ...figures };
  } finally {
    await app.stop();
  }
}
