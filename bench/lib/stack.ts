import Redis from 'ioredis';
import { freePort, startRedisServer, type RunningRedis } from '../../scripts/lib/redis-server';
import { appEnvironment, KEY_PREFIX, startApp, type AppProcess } from './app';
import { Browser, signIn } from './browser';
import { getJson } from './http';
import { stopChild, track } from './procs';
import { startSandboxProcess, type RunningSandbox } from './sandbox';
import { SESSION_COOKIE, sessionIdOf } from './sessions';

/**
 * The whole product as separate processes: a real redis-server, the sandbox, and the first
 * production app process, with the demo user `ada` (3 assistants) signed in through the
 * sandbox's consent form.
 */

export const BENCH_USER = 'ada';
export const DASHBOARD_MARKER = 'Your assistants';

export interface Stack {
  readonly redis: RunningRedis;
  readonly redisPid: number;
  /** The bench's own Redis connection (never the app's). */
  readonly admin: Redis;
  readonly sandbox: RunningSandbox;
  readonly env: Record<string, string>;
  readonly app: AppProcess;
  /** `zar.sid=...` of the signed-in session. */
  readonly cookie: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly sessionPrefix: string;
}

export async function startStack(): Promise<Stack> {
  const redis = await startRedisServer();
  track(redis.process);
  const redisPid = redis.process.pid;
  if (redisPid === undefined) throw new Error('redis-server has no pid');
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const appPort = await freePort();
  const redirectUrl = `http://127.0.0.1:${appPort}/oauth/callback`;
  const sandbox = await startSandboxProcess([redirectUrl]);
  const env = appEnvironment({ redisUrl: redis.url, sandboxUrl: sandbox.url, redirectUrl });
  const app = await startApp(env, { port: appPort });

  const browser = new Browser();
  const page = await signIn(browser, app.url, BENCH_USER);
  if (page.status !== 200 || !page.body.includes(DASHBOARD_MARKER)) {
    throw new Error(`sign-in did not reach the dashboard (status ${page.status})`);
  }
  const value = browser.cookie(app.url, SESSION_COOKIE);
  if (!value) throw new Error('no session cookie after sign-in');
  const snapshot = await getJson<{ user: { id: string } }>(
    `${sandbox.url}/_sandbox/users/${BENCH_USER}`,
  );
  return {
    redis,
    redisPid,
    admin,
    sandbox,
    env,
    app,
    cookie: `${SESSION_COOKIE}=${value}`,
    sessionId: sessionIdOf(value),
    userId: snapshot.user.id,
    sessionPrefix: `${KEY_PREFIX}sess:`,
  };
}

export async function closeStack(stack: Stack): Promise<void> {
  await stack.app.stop();
  await stopChild(stack.sandbox.proc.child);
  stack.admin.disconnect();
  await stack.redis.stop();
}
