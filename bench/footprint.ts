import { createHmac, randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '../harness/browser';
import { runLoad } from './load';
import { memoryMb } from './proc';
import type { Settings } from './settings';
import { expectList, FORWARDED, LISTED, type Stack } from './stack';
import { spread } from './stats';

/** What a fresh app process costs before and under traffic: start-up time and memory. */

/**
 * Spawn of the Procfile command → first /readyz 200 (Redis answering), polled every 5 ms, and
 * the RSS then: how long a deploy or restart waits before the router may send traffic.
 */
export async function benchStartup(stack: Stack, runs: number) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const app = await stack.startApp({ pollMs: 5 });
    all.push({ readyMs: app.readyAt - app.spawnedAt, rssMb: memoryMb(app.pid).rss });
    await app.stop();
  }
  return {
    runs: all,
    readyMs: spread(all.map((r) => r.readyMs)),
    rssMb: spread(all.map((r) => r.rssMb)),
  };
}

/** express-session's cookie: `s:<id>.<base64 HMAC-SHA256(id, secret)>`, no '=', URL-encoded. */
function signedCookie(sessionId: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(sessionId).digest('base64').replace(/=+$/, '');
  return `${SESSION_COOKIE}=${encodeURIComponent(`s:${sessionId}.${mac}`)}`;
}

/** Copies ada's real signed-in session (key `<prefix>sess:<id>`) to `count` new ids. */
async function copySessions(stack: Stack, count: number): Promise<string[]> {
  const prefix = `${stack.env.REDIS_KEY_PREFIX ?? 'zar:'}sess:`;
  const key = `${prefix}${stack.sessionId}`;
  const [session, ttl] = await Promise.all([stack.admin.get(key), stack.admin.ttl(key)]);
  if (session === null || ttl <= 0) throw new Error(`the signed-in session ${key} is not in Redis`);
  const pipeline = stack.admin.pipeline();
  const ids = Array.from({ length: count }, () => randomBytes(24).toString('base64url'));
  for (const id of ids) pipeline.set(`${prefix}${id}`, session, 'EX', ttl);
  await pipeline.exec();
  return ids.map((id) => signedCookie(id, stack.env.SESSION_SECRET ?? ''));
}

/**
 * A fresh process under load cycling through many sessions (each request a different one).
 * Sessions live in Redis, so their number should not show here; the Procfile's heap limits
 * should hold the peak. Peak = max(VmRSS every 250 ms, VmHWM at the end).
 */
export async function benchMemory(stack: Stack, s: Settings) {
  const cookies = await copySessions(stack, s.sessions);
  const app = await stack.startApp();
  try {
    const url = `${app.url}/`;
    for (const cookie of [cookies[0], cookies.at(-1)]) await expectList(url, cookie ?? '', LISTED);
    const idleRssMb = memoryMb(app.pid).rss;
    let peak = idleRssMb;
    const sample = (): void => void (peak = Math.max(peak, memoryMb(app.pid).rss));
    const [connections, durationSec, headers] = [s.memoryConnections, s.memorySec, FORWARDED];
    // Zoom list calls per answer: about 1 (the last in-flight requests add a few) when every
    // request was a signed-in dashboard, about 0 if the cookies were not accepted.
    const listed = async (): Promise<number> =>
      (await stack.sandbox.control.stats()).list_assistants ?? 0;
    const listedBefore = await listed();
    const load = await runLoad({ url, connections, durationSec, headers, cookies, sample });
    const zoomCallsPerRequest = ((await listed()) - listedBefore) / Math.max(1, load.ok);
    const peakRssMb = Math.max(peak, memoryMb(app.pid).hwm);
    return { sessions: s.sessions, connections, idleRssMb, peakRssMb, load, zoomCallsPerRequest };
  } finally {
    await app.stop();
  }
}

export type StartupResult = Awaited<ReturnType<typeof benchStartup>>;
export type MemoryResult = Awaited<ReturnType<typeof benchMemory>>;
