import { createHmac } from 'node:crypto';
import { PAGES } from '../../src/http/copy';
import { Browser, csrfOf, signIn } from '../../harness/browser';
import { startStack, type Stack } from '../../harness/stack';
import { startRedisServer, type RunningRedis } from '../../harness/redis';

/**
 * Answers within budget while Redis does not answer: a page within 2 s, Zoom's webhook within
 * 2.5 s (Zoom's window is 3 s), each a 503 that can be retried.
 *
 * Each stack sets its own command timeout. The budgets are the product's; what a request
 * meeting a silent Redis waits is one command timeout (1 s here, not the 1.5 s default), so a
 * loaded machine has a full second (1.5 s for the webhook) before an answer is late; and one
 * timeout (what the design allows) and two (what it must prevent) stay a full timeout apart.
 * The lower bound is what Redis's silence must cost at least.
 */

let redis: RunningRedis;
const stacks: Stack[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const s of stacks) await s.close();
  await redis.stop();
});

async function stackWithTimeout(commandTimeoutMs: number): Promise<Stack> {
  const s = await startStack({
    redisUrl: redis.url,
    env: { REDIS_COMMAND_TIMEOUT_MS: String(commandTimeoutMs) },
  });
  stacks.push(s);
  return s;
}

function signedDeauthorization(s: Stack, userId: string): RequestInit {
  const body = JSON.stringify({
    event: 'app_deauthorized',
    event_ts: Date.now(),
    payload: {
      user_id: userId,
      client_id: s.credentials.clientId,
      deauthorization_time: new Date().toISOString(),
    },
  });
  const ts = Math.floor(Date.now() / 1000);
  const mac = createHmac('sha256', s.credentials.webhookSecret)
    .update(`v0:${ts}:${body}`)
    .digest('hex');
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-zm-request-timestamp': String(ts),
      'x-zm-signature': `v0=${mac}`,
    },
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

const PAGE_BUDGET_MS = 2_000;
const WEBHOOK_BUDGET_MS = 2_500;
const COMMAND_TIMEOUT_MS = 1_000;

/** Until the dashboard is served again: Redis answers, and the app no longer takes it for stalled. */
async function servedAgain(browser: Browser, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await browser.get(`${url}/`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the dashboard was not served again');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('Redis stopped (SIGSTOP): every page, and Zoom’s signed webhook, answer 503 within budget', async () => {
  const stack = await stackWithTimeout(COMMAND_TIMEOUT_MS);
  const browser = new Browser();
  const csrf = csrfOf(await signIn(browser, stack.app.url, 'ada'));
  const userId = await stack.control.userId('ada');
  const url = stack.app.url;

  // Zoom's webhook first, so that it meets the stall fresh and waits out a whole timeout.
  redis.process.kill('SIGSTOP');
  try {
    const { value: hook, ms } = await timed(() =>
      fetch(`${url}/webhooks/zoom`, signedDeauthorization(stack, userId)),
    );
    expect(hook.status).toBe(503); // Zoom retries a 5xx
    expect(ms).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 50); // it did meet the stall
    expect(ms).toBeLessThan(WEBHOOK_BUDGET_MS);
  } finally {
    redis.process.kill('SIGCONT');
  }
  await servedAgain(browser, url);

  const pages: [string, () => Promise<{ status: number; text: string }>][] = [
    ['dashboard', () => browser.get(`${url}/`)],
    ['not found, signed in', () => browser.get(`${url}/nowhere`)],
    ['install', () => new Browser().get(`${url}/install`, { follow: false })],
    [
      'remove',
      () => browser.postForm(`${url}/assistants/x1/remove`, { _csrf: csrf }, { follow: false }),
    ],
    ['logout', () => browser.postForm(`${url}/logout`, { _csrf: csrf }, { follow: false })],
  ];
  redis.process.kill('SIGSTOP');
  try {
    // Each on its own, so no answer is late only for queueing behind another. The first meets
    // the stall fresh (a whole timeout); the others find it known and fail fast.
    for (const [name, load] of pages) {
      const { value: page, ms } = await timed(load);
      expect({ name, status: page.status }).toEqual({ name, status: 503 });
      expect(page.text).toContain(PAGES.storageDown.heading);
      expect(ms).toBeLessThan(PAGE_BUDGET_MS);
    }
    const { value: hook, ms } = await timed(() =>
      fetch(`${url}/webhooks/zoom`, signedDeauthorization(stack, userId)),
    );
    expect(hook.status).toBe(503);
    expect(ms).toBeLessThan(WEBHOOK_BUDGET_MS);
    // A visitor without a session needs no Redis at all.
    expect((await new Browser().get(`${url}/`)).status).toBe(200);
  } finally {
    redis.process.kill('SIGCONT');
  }
});

test('Redis gone (stopped: connections refused): every page, and Zoom’s signed webhook, answer 503 within budget', async () => {
  const own = await startRedisServer(); // stopped here, so not the one the other tests share
  const stack = await startStack({
    redisUrl: own.url,
    env: { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) },
  });
  try {
    const browser = new Browser();
    const csrf = csrfOf(await signIn(browser, stack.app.url, 'ada'));
    const userId = await stack.control.userId('ada');
    const url = stack.app.url;
    await own.stop();
    const answers: [string, () => Promise<{ status: number }>][] = [
      ['webhook', () => fetch(`${url}/webhooks/zoom`, signedDeauthorization(stack, userId))],
      ['dashboard', () => browser.get(`${url}/`)],
      ['install', () => new Browser().get(`${url}/install`, { follow: false })],
      [
        'remove',
        () => browser.postForm(`${url}/assistants/x1/remove`, { _csrf: csrf }, { follow: false }),
      ],
    ];
    for (const [name, load] of answers) {
      const { value, ms } = await timed(load);
      expect({ name, status: value.status }).toEqual({ name, status: 503 });
      expect(ms).toBeLessThan(name === 'webhook' ? WEBHOOK_BUDGET_MS : PAGE_BUDGET_MS);
    }
  } finally {
    // Its Redis is gone for good: its connections are closed without a word to it.
    for (const app of stack.apps) {
      app.connections.redis.disconnect();
      app.connections.subscriber.disconnect();
      await app.close();
    }
    stack.admin.disconnect();
    await stack.sandbox.close();
    await own.stop();
  }
});

test('Redis stalling in the middle of a request: its steps after the first timeout fail fast, so one timeout is all it waits', async () => {
  // Long enough that one timeout and two stay seconds apart on a loaded machine.
  const timeoutMs = 4_000;
  const zoomDelayMs = 500;
  const stack = await stackWithTimeout(timeoutMs);
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const email = 'alan.assistant@example.com';
  const form = new RegExp(
    `action="(/assistants/[^"]+/remove)">(?:(?!</form>)[\\s\\S])*value="${email}"`,
  ).exec(dash.text)?.[1];
  if (!form) throw new Error('no remove form on the dashboard');
  // Zoom's DELETE takes a while; Redis stops taking writes while it is in flight. After it, the
  // removal's history entry waits out the timeout, then the session's write: without failing
  // fast, a second full timeout.
  await stack.control.post('/faults', { target: 'api', method: 'DELETE', delayMs: zoomDelayMs });
  const answer = browser.postForm(
    `${stack.app.url}${form}`,
    { _csrf: csrfOf(dash), email },
    { follow: false },
  );
  const deadline = Date.now() + 20_000;
  while ((await stack.control.stats()).faults_applied === 0) {
    if (Date.now() > deadline) throw new Error('Zoom was never asked');
    await new Promise((r) => setTimeout(r, 10));
  }
  const pausedAt = performance.now();
  await stack.admin.call('CLIENT', 'PAUSE', '30000', 'WRITE');
  try {
    const page = await answer;
    const waited = performance.now() - pausedAt;
    expect(page.status).toBe(303);
    expect(waited).toBeGreaterThanOrEqual(timeoutMs); // it did meet the stall
    expect(waited).toBeLessThan(zoomDelayMs + timeoutMs + timeoutMs / 2); // and waited it once
  } finally {
    await stack.admin.call('CLIENT', 'UNPAUSE');
  }
  expect((await stack.control.stats()).delete_assistant).toBe(1);
});
