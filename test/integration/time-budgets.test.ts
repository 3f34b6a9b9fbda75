import { createHmac } from 'node:crypto';
import { PAGES } from '../../src/http/copy';
import { Browser, csrfOf, signIn } from '../../harness/browser';
import { startStack, type Stack } from '../../harness/stack';
import { startRedisServer, type RunningRedis } from '../../harness/redis';

/**
 * Answers within budget while Redis does not answer: a page within 2 s, Zoom's webhook within
 * 2.5 s (Zoom's window is 3 s), each a 503 that can be retried.
 *
 * Bounds a busy machine cannot break: each stack sets its own command timeout, so that one
 * timeout (what the design allows) and two (what it must prevent) are a full timeout apart,
 * and the lower bound is what Redis's silence must cost at least.
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

test('Redis stopped (SIGSTOP): every page, and Zoom’s signed webhook, answer 503 within budget', async () => {
  const stack = await stackWithTimeout(1_000);
  const browser = new Browser();
  const csrf = csrfOf(await signIn(browser, stack.app.url, 'ada'));
  const userId = await stack.control.userId('ada');
  const url = stack.app.url;

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
    // Each on its own, so no answer is late only for queueing behind another.
    for (const [name, load] of pages) {
      const { value: page, ms } = await timed(load);
      expect({ name, status: page.status }).toEqual({ name, status: 503 });
      expect(page.text).toContain(PAGES.storageDown.heading);
      expect(ms).toBeLessThan(PAGE_BUDGET_MS);
    }
    const { value: hook, ms } = await timed(() =>
      fetch(`${url}/webhooks/zoom`, signedDeauthorization(stack, userId)),
    );
    expect(hook.status).toBe(503); // Zoom retries a 5xx
    expect(ms).toBeLessThan(WEBHOOK_BUDGET_MS);
    // A visitor without a session needs no Redis at all.
    expect((await new Browser().get(`${url}/`)).status).toBe(200);
  } finally {
    redis.process.kill('SIGCONT');
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
