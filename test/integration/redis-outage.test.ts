import { PAGES } from '../../src/http/copy';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Browser, signIn } from '../../harness/browser';
import { startStack, type Stack } from '../../harness/stack';
import { startRedisServer, type RunningRedis } from '../../harness/redis';

/** Redis as the platform gives it: sometimes slow, sometimes gone, then back. */

let redis: RunningRedis;
let stack: Stack;
const dataDir = mkdtempSync(path.join(tmpdir(), 'zar-redis-'));
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

/**
 * A command waits at most this long. The product's time budgets (a page within 2 s) are
 * time-budgets.test.ts's; here an answer only has to come while Redis still does not answer,
 * not once it is back: NOT_A_HANG_MS, five timeouts, a bound no loaded machine reaches.
 */
const COMMAND_TIMEOUT_MS = 1_000;
const NOT_A_HANG_MS = 5 * COMMAND_TIMEOUT_MS;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  redis = await startRedisServer({ dataDir });
  stack = await startStack({
    redisUrl: redis.url,
    env: { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) },
  });
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await stack.close();
  await redis.stop();
});

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = Date.now();
  const v = await fn();
  return [v, Date.now() - t];
}

test('Redis hanging, then gone, then back: 503 pages (never a hang), no crash, recovery with the same session and tokens', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  expect(dash.text).toContain('Ada Lovelace');

  // Hanging: the process is stopped, the socket stays open, nothing answers.
  redis.process.kill('SIGSTOP');
  try {
    const [page, ms] = await timed(() => browser.get(`${stack.app.url}/`));
    expect(page.status).toBe(503);
    expect(page.text).toContain(PAGES.storageDown.heading);
    expect(ms).toBeLessThan(NOT_A_HANG_MS);
    const [ready, readyMs] = await timed(() => fetch(`${stack.app.url}/readyz`));
    expect(ready.status).toBe(503);
    expect(readyMs).toBeLessThan(NOT_A_HANG_MS); // its own 1 s limit
    expect((await fetch(`${stack.app.url}/healthz`)).status).toBe(200);
  } finally {
    redis.process.kill('SIGCONT');
  }
  await waitForDashboard(browser);

  // Gone: connections refused.
  await redis.stop();
  const [page, ms] = await timed(() => browser.get(`${stack.app.url}/`));
  expect(page.status).toBe(503);
  expect(ms).toBeLessThan(NOT_A_HANG_MS);
  const [install, installMs] = await timed(() =>
    new Browser().get(`${stack.app.url}/install`, { follow: false }),
  );
  expect(install.status).toBe(503);
  expect(installMs).toBeLessThan(NOT_A_HANG_MS);
  // A visitor without a session still gets the landing page.
  expect((await new Browser().get(`${stack.app.url}/`)).status).toBe(200);

  // Back, on the same port with the same data: the app reconnects by itself.
  redis = await startRedisServer({ port: redis.port, dataDir });
  await waitForDashboard(browser);
  expect(unhandled).toEqual([]);
}, 90_000);

/** Served again: waited for as long as it takes (a restart on a loaded machine is slow). */
async function waitForDashboard(browser: Browser): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = await browser.get(`${stack.app.url}/`);
    if (page.status === 200 && page.text.includes('Ada Lovelace')) return;
    if (Date.now() > deadline) throw new Error(`no recovery: last status ${page.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
