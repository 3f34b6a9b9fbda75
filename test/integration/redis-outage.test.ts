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

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  redis = await startRedisServer({ dataDir });
  // A timeout well under the 2 s budget, so a busy machine cannot push an answer past it.
  stack = await startStack({ redisUrl: redis.url, env: { REDIS_COMMAND_TIMEOUT_MS: '1000' } });
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

test('Redis hanging, then gone, then back: 503 pages within 2 s, no crash, recovery with the same session and tokens', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  expect(dash.text).toContain('Ada Lovelace');

  // Hanging: the process is stopped, the socket stays open, nothing answers.
  redis.process.kill('SIGSTOP');
  try {
    const [page, ms] = await timed(() => browser.get(`${stack.app.url}/`));
    expect(page.status).toBe(503);
    expect(page.text).toContain(PAGES.storageDown.heading);
    expect(ms).toBeLessThan(2000);
    const [ready, readyMs] = await timed(() => fetch(`${stack.app.url}/readyz`));
    expect(ready.status).toBe(503);
    expect(readyMs).toBeLessThan(2000); // its own 1 s limit
    expect((await fetch(`${stack.app.url}/healthz`)).status).toBe(200);
  } finally {
    redis.process.kill('SIGCONT');
  }
  await waitForDashboard(browser);

  // Gone: connections refused.
  await redis.stop();
  const [page, ms] = await timed(() => browser.get(`${stack.app.url}/`));
  expect(page.status).toBe(503);
  expect(ms).toBeLessThan(2000);
  const [install, installMs] = await timed(() =>
    new Browser().get(`${stack.app.url}/install`, { follow: false }),
  );
  expect(install.status).toBe(503);
  expect(installMs).toBeLessThan(2000);
  // A visitor without a session still gets the landing page.
  expect((await new Browser().get(`${stack.app.url}/`)).status).toBe(200);

  // Back, on the same port with the same data: the app reconnects by itself.
  redis = await startRedisServer({ port: redis.port, dataDir });
  await waitForDashboard(browser);
  expect(unhandled).toEqual([]);
});

async function waitForDashboard(browser: Browser): Promise<void> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const page = await browser.get(`${stack.app.url}/`);
    if (page.status === 200 && page.text.includes('Ada Lovelace')) return;
    if (Date.now() > deadline) throw new Error(`no recovery: last status ${page.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
