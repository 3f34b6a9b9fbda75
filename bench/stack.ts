import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startReadyApp } from '../harness/app-process';
import { Browser, SESSION_COOKIE, sessionIdOf, signIn } from '../harness/browser';
import { freePort, ROOT, spawnTracked, stopChild, waitUntilReady } from '../harness/processes';
import { startSandboxedApp } from '../harness/sandboxed-app';
import { storedRecord, tokenStoreFor } from '../harness/grant-records';
import { createRedis } from '../src/store/redis';

// The sandbox (day-long tokens: only the storm refreshes), the app as in production, ada.
/** Every request arrives as through the platform's TLS router. */
export const FORWARDED: Readonly<Record<string, string>> = { 'x-forwarded-proto': 'https' };
/** Only in a dashboard that listed people (not the landing page, not an error). */
export const LISTED = '<ul class="people">';
export type Server = { readonly url: string; readonly pid: number };
export type NodeBinary = { readonly bin: string; readonly version: string };
export const OWN_NODE: NodeBinary = { bin: process.execPath, version: process.version };

/** A Node major line's binary from the npm registry. */
export function nodeLine(line: string): NodeBinary {
  const run = (file: string, args: string[]): string =>
    execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const bin = run('bash', [path.join(ROOT, 'scripts', 'node-line.sh'), line]);
  return { bin, version: run(bin, ['--version']) };
}
/** A 200 that is not the list would make every figure meaningless: checked around each phase. */
export async function expectList(url: string, cookie: string, marker: string): Promise<void> {
  const res = await fetch(url, { headers: { ...FORWARDED, cookie } });
  if (res.status !== 200 || !(await res.text()).includes(marker)) {
    throw new Error(`${url} did not answer the assistant list (status ${res.status})`);
  }
}
/** redisUrl: one redis-server, or a Redis Cluster's seeds; redisPids: whose CPU is counted. */
export async function startStack(o: {
  readonly redisUrl: string;
  readonly redisPids: readonly number[];
  readonly cluster?: boolean;
  /** Of the first app process (BENCH_PROFILE: --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}) {
  const unlimited = '1000000'; // the bench is one user sending thousands of requests
  const run = await startSandboxedApp({
    ...{ redisUrl: o.redisUrl, label: 'bench' },
    sandbox: { ownProcess: true, accessTokenTtlSeconds: 86_400 },
    env: {
      ...{ NODE_ENV: 'production', RATE_LIMIT_INSTALL_PER_10_MIN: unlimited },
      ...{ RATE_LIMIT_ACTIONS_PER_MIN: unlimited, RATE_LIMIT_WEBHOOK_PER_MIN: unlimited },
      ...(o.cluster ? { REDIS_CLUSTER: '1' } : {}),
      TRUST_PROXY: '1', // as on Heroku: one router, whose X-Forwarded-Proto (FORWARDED) is believed
    },
    // Its log lines are read from its pipe, as the platform's router does, but not kept.
    app: { nodeArgs: o.nodeArgs, keepStdout: false },
  });
  const [{ env, app, sandbox }, browser] = [run, new Browser(FORWARDED)];
  const page = await signIn(browser, app.url, 'ada');
  const value = browser.cookie(app.url, SESSION_COOKIE);
  if (page.status !== 200 || !page.text.includes(LISTED) || !value) {
    throw new Error(`sign-in did not reach the dashboard (status ${page.status} at ${page.url})`);
  }
  const settings = { url: o.redisUrl, cluster: o.cluster === true, tlsRejectUnauthorized: false };
  const admin = createRedis(settings, 'bench'); // the bench's own connection
  return {
    ...{ env, app, sandbox, redisPids: o.redisPids, admin, tokens: tokenStoreFor(admin, env) },
    userId: await sandbox.control.userId('ada'),
    ...{ cookie: `${SESSION_COOKIE}=${value}`, sessionId: sessionIdOf(value) },
    /** Another app process by the Procfile line, on `node` if given: same environment. */
    // Without PORT: the harness picks one, and another if it was taken before the app bound it.
    startApp: (opts: { pollMs?: number; node?: string } = {}) =>
      startReadyApp(withoutPort(env), { ...opts, keepStdout: false }),
    close: () => run.stop().then(() => admin.disconnect()),
  };
}
export type Stack = Awaited<ReturnType<typeof startStack>>;

/** bench/baseline.ts in its own process (`node --import tsx`: one process, its CPU its own). */
export async function startBaseline(stack: Stack, node = process.execPath) {
  const port = await freePort();
  const { accessToken } = await storedRecord(stack.tokens, stack.userId);
  const env = { NODE_ENV: 'production', BASELINE_PORT: String(port), ACCESS_TOKEN: accessToken };
  const args = ['--import', 'tsx', path.join(__dirname, 'baseline.ts')];
  const zoom = { ZOOM_API_URL: stack.env.ZOOM_API_URL ?? '' };
  const spawned = spawnTracked(node, args, { cwd: ROOT, env: { ...env, ...zoom } });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/healthz`, { alive: () => spawned.child.exitCode === null });
  return { url, pid: spawned.pid, stop: () => stopChild(spawned.child) };
}

function withoutPort(env: Record<string, string>): Record<string, string> {
  const rest = { ...env };
  delete rest.PORT;
  return rest;
}
