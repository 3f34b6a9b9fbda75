import path from 'node:path';
import { startReadyApp } from '../harness/app-process';
import { Browser, SESSION_COOKIE, sessionIdOf, signIn } from '../harness/browser';
import { freePort, ROOT, spawnTracked, stopChild, waitUntilReady } from '../harness/processes';
import { startSandboxedApp } from '../harness/sandboxed-app';
import { storedRecord, tokenStoreFor } from '../harness/tokens';
import { createRedis } from '../src/store/redis';

/**
 * The product as the platform runs it, each part its own process: the sandbox (day-long
 * tokens, so only the storm refreshes), the production server with the production defaults
 * (NODE_ENV=production, LOG_LEVEL unset: its real logging is part of the cost measured), and
 * `ada` (3 assistants) signed in through the sandbox's consent.
 */

const USER = 'ada';
/** Every request arrives as through the platform's TLS router. */
export const FORWARDED: Readonly<Record<string, string>> = { 'x-forwarded-proto': 'https' };
/** Only in a dashboard that listed the assistants (not the landing page, not an error). */
export const LISTED = 'class="assistants"';

/** A 200 that is not the list would make every figure meaningless: checked around each phase. */
export async function expectList(url: string, cookie: string, marker: string): Promise<void> {
  const res = await fetch(url, { headers: { ...FORWARDED, cookie } });
  if (res.status !== 200 || !(await res.text()).includes(marker)) {
    throw new Error(`${url} did not answer the assistant list (status ${res.status})`);
  }
}

export interface StackOptions {
  /** One redis-server's URL, or a Redis Cluster's seed URLs (then `cluster`). */
  readonly redisUrl: string;
  readonly cluster?: boolean;
  /** The redis-server processes, whose CPU the dashboard accounts for. */
  readonly redisPids: readonly number[];
  /** Node flags of the first app process (BENCH_PROFILE: --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}

export async function startStack(o: StackOptions) {
  const run = await startSandboxedApp({
    redisUrl: o.redisUrl,
    label: 'bench',
    sandbox: { ownProcess: true, accessTokenTtlSeconds: 86_400 },
    env: {
      NODE_ENV: 'production',
      // Out of the way: the bench is one user sending thousands of requests.
      RATE_LIMIT_INSTALL_PER_10_MIN: '1000000',
      RATE_LIMIT_ACTIONS_PER_MIN: '1000000',
      RATE_LIMIT_WEBHOOK_PER_MIN: '1000000',
      ...(o.cluster ? { REDIS_CLUSTER: '1' } : {}),
    },
    // Its log lines are read from its pipe, as the platform's router does, but not kept.
    app: { nodeArgs: o.nodeArgs, keepStdout: false },
  });
  const { env, app, sandbox } = run;
  const browser = new Browser(FORWARDED);
  const page = await signIn(browser, app.url, USER);
  const value = browser.cookie(app.url, SESSION_COOKIE);
  if (page.status !== 200 || !page.text.includes(LISTED) || !value) {
    throw new Error(`sign-in did not reach the dashboard (status ${page.status} at ${page.url})`);
  }
  const settings = { url: o.redisUrl, cluster: o.cluster === true, tlsRejectUnauthorized: false };
  const admin = createRedis(settings, 'bench'); // the bench's own connection
  return {
    env,
    app,
    sandbox,
    redisPids: o.redisPids,
    admin,
    tokens: tokenStoreFor(admin, env),
    userId: await sandbox.control.userId(USER),
    /** ada's session as a Cookie header, and its id. */
    cookie: `${SESSION_COOKIE}=${value}`,
    sessionId: sessionIdOf(value),
    /** Another app process by the Procfile line: same environment and Redis, its own port. */
    startApp: async (opts: { pollMs?: number } = {}) =>
      startReadyApp({ ...env, PORT: String(await freePort()) }, { ...opts, keepStdout: false }),
    close: async () => {
      await run.stop();
      admin.disconnect();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** bench/baseline.ts in its own process, with the access token the app stored for ada. */
export async function startBaseline(stack: Stack) {
  const port = await freePort();
  const { accessToken } = await storedRecord(stack.tokens, stack.userId);
  // `node --import tsx`, not the tsx CLI: one process, whose CPU is the baseline's own.
  const spawned = spawnTracked(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'baseline.ts')],
    {
      cwd: ROOT,
      env: {
        NODE_ENV: 'production',
        BASELINE_PORT: String(port),
        ZOOM_API_URL: stack.env.ZOOM_API_URL ?? '',
        ACCESS_TOKEN: accessToken,
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/healthz`, { alive: () => spawned.child.exitCode === null });
  return { url, pid: spawned.pid, stop: () => stopChild(spawned.child) };
}

export type Baseline = Awaited<ReturnType<typeof startBaseline>>;
