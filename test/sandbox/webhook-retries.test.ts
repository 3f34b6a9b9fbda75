import { createHmac } from 'node:crypto';
import { startSandbox } from '../../sandbox';
import { optionsFromEnv } from '../../sandbox/main';
import { json, sleep, startHarness, waitFor, type Harness, type Json } from './client';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, WEBHOOK_SECRET, basic, form } from './helpers';

/** 0.0001 turns Zoom's 5/20/60 minutes into 30/120/360 ms. */
const SCALE = 0.0001;
const DELAYS_MS = [30, 120, 360];

let h: Harness;
let webhookUrl: string;

beforeAll(async () => {
  h = await startHarness();
  webhookUrl = String((await h.client.get('/_sandbox/config'))['webhookUrl']);
});

afterAll(() => h.close());

beforeEach(async () => {
  await h.client.post('/_sandbox/reset');
  // reset keeps the webhook wiring, so put the URL back in case a test moved it.
  await h.client.config({ webhookUrl, webhookRetry: { scale: SCALE } });
  h.receiver.received.length = 0;
  h.receiver.status = 200;
  h.receiver.respond = undefined;
  h.receiver.hold = undefined;
});

interface Attempt {
  id: string;
  event: string | null;
  attempt: number;
  at: string;
  timestamp: string;
  status: number;
  delivered: boolean;
  dropped: boolean;
  error?: string;
}

async function deliveries(): Promise<Attempt[]> {
  return (await h.client.get('/_sandbox/webhooks/deliveries'))['deliveries'] as Attempt[];
}

function waitForAttempts(n: number, timeoutMs = 20_000): Promise<Attempt[]> {
  return waitFor(async () => {
    const all = await deliveries();
    return all.length >= n ? all : undefined;
  }, timeoutMs);
}

async function send(body: Json = {}): Promise<Json> {
  const res = await h.client.post('/_sandbox/webhooks/send', {
    event: 'app_deauthorized',
    payload: { user_id: 'x' },
    ...body,
  });
  expect(res.status).toBe(200);
  return json(res);
}

function signatureFor(timestamp: string, rawBody: string): string {
  const mac = createHmac('sha256', WEBHOOK_SECRET).update(`v0:${timestamp}:${rawBody}`);
  return `v0=${mac.digest('hex')}`;
}

/** Answers the statuses in order, then the last one for ever. */
function answerInTurn(...statuses: number[]): void {
  let i = 0;
  h.receiver.respond = () => {
    const status = statuses[Math.min(i, statuses.length - 1)] ?? 200;
    i += 1;
    return { status, body: '' };
  };
}

describe('webhook retries (S-WH)', () => {
  test('a 5xx is retried 3 times, 5/20/60 min apart (scaled), the same request each time', async () => {
    h.receiver.status = 500;
    const first = await send();
    // The synchronous answer describes the first attempt only.
    expect(first).toMatchObject({ delivered: false, status: 500 });
    const log = await waitForAttempts(4);
    expect(log.map((a) => [a.attempt, a.status, a.delivered, a.dropped])).toEqual([
      [1, 500, false, false],
      [2, 500, false, false],
      [3, 500, false, false],
      [4, 500, false, false],
    ]);
    expect(new Set(log.map((a) => a.id))).toEqual(new Set([first['id']]));
    expect(log.every((a) => a.event === 'app_deauthorized')).toBe(true);
    for (let k = 1; k < 4; k++) {
      const gap = Date.parse(log[k]?.at ?? '') - Date.parse(log[k - 1]?.at ?? '');
      expect(gap).toBeGreaterThanOrEqual((DELAYS_MS[k - 1] ?? 0) - 2);
    }
    // 'original' (the default): every attempt carries the first one's headers and body.
    const got = h.receiver.received;
    expect(got).toHaveLength(4);
    for (const hook of got) {
      for (const name of ['x-zm-request-timestamp', 'x-zm-signature', 'x-zm-request-id']) {
        expect(hook.headers[name]).toBe(got[0]?.headers[name]);
      }
      expect(hook.rawBody).toBe(got[0]?.rawBody);
    }
    expect(log.every((a) => a.timestamp === got[0]?.headers['x-zm-request-timestamp'])).toBe(true);
    // No fifth attempt.
    await sleep(500);
    expect(h.receiver.received).toHaveLength(4);
    expect(await h.client.stats()).toMatchObject({
      webhooks_sent: 4,
      webhooks_failed: 4,
      webhooks_retried: 3,
      webhooks_given_up: 1,
    });
  });

  test('a retry that gets a 2xx ends the schedule', async () => {
    answerInTurn(503, 200);
    expect(await send()).toMatchObject({ delivered: false, status: 503 });
    const log = await waitForAttempts(2);
    expect(log.map((a) => [a.attempt, a.status, a.delivered])).toEqual([
      [1, 503, false],
      [2, 200, true],
    ]);
    await sleep(300);
    expect(await deliveries()).toHaveLength(2);
    expect(await h.client.stats()).toMatchObject({ webhooks_delivered: 1, webhooks_given_up: 0 });
  });

  test.each([200, 204, 302, 400, 401, 404, 429])('no retry after a %i', async (status) => {
    h.receiver.status = status;
    const first = await send();
    expect(first).toMatchObject({ status, delivered: status < 300 });
    await sleep(150);
    const log = await deliveries();
    expect(log).toHaveLength(1);
    expect(h.receiver.received).toHaveLength(1);
    expect((await h.client.stats())['webhooks_given_up']).toBe(status < 300 ? 0 : 1);
  });

  test('no answer at all (connection refused) is retried', async () => {
    await h.client.config({ webhookUrl: 'http://127.0.0.1:1/webhooks/zoom' });
    const first = await send();
    expect(first).toMatchObject({ delivered: false, status: 0 });
    expect(typeof first['error']).toBe('string');
    const log = await waitForAttempts(4);
    expect(log.map((a) => a.status)).toEqual([0, 0, 0, 0]);
  });

  test('an answer later than 3 s counts as none and is retried', async () => {
    h.receiver.hold = () => (h.receiver.received.length === 1 ? 30_000 : 0);
    const started = Date.now();
    const first = await send();
    const took = Date.now() - started;
    expect(first).toMatchObject({ delivered: false, status: 0, error: 'no answer within 3 s' });
    expect(took).toBeGreaterThanOrEqual(2900);
    expect(took).toBeLessThan(15_000); // gave up at 3 s, not at the 30 s answer
    const log = await waitForAttempts(2);
    expect(log.map((a) => [a.attempt, a.status, a.delivered])).toEqual([
      [1, 0, false],
      [2, 200, true],
    ]);
  }, 60_000);

  test("timestamp 'fresh' re-signs a retry with the current time", async () => {
    await h.client.config({ webhookRetry: { timestamp: 'fresh' } });
    answerInTurn(500, 200);
    const before = Math.floor(Date.now() / 1000);
    await send({ timestamp: 1000 });
    const log = await waitForAttempts(2);
    const after = Math.ceil(Date.now() / 1000);
    const [one, two] = h.receiver.received;
    expect(one?.headers['x-zm-request-timestamp']).toBe('1000');
    const freshTs = String(two?.headers['x-zm-request-timestamp']);
    // Signed when it was sent: between the send and now, however long that took.
    expect(Number(freshTs)).toBeGreaterThanOrEqual(before);
    expect(Number(freshTs)).toBeLessThanOrEqual(after);
    expect(two?.headers['x-zm-signature']).toBe(signatureFor(freshTs, two?.rawBody ?? ''));
    expect(two?.rawBody).toBe(one?.rawBody);
    expect(two?.headers['x-zm-request-id']).toBe(one?.headers['x-zm-request-id']);
    expect(log.map((a) => a.timestamp)).toEqual(['1000', freshTs]);
  });

  test("timestamp 'original' keeps even a stale timestamp on the retry", async () => {
    answerInTurn(500, 200);
    await send({ timestamp: 1000 });
    await waitForAttempts(2);
    const [one, two] = h.receiver.received;
    expect(two?.headers['x-zm-request-timestamp']).toBe('1000');
    expect(two?.headers['x-zm-signature']).toBe(one?.headers['x-zm-signature']);
  });

  test('webhookDrop withholds the next attempts; they count as no answer and are retried', async () => {
    const cfg = await h.client.config({ webhookDrop: 2 });
    expect(cfg['webhookDrop']).toBe(2);
    const first = await send();
    expect(first).toMatchObject({ delivered: false, status: 0 });
    expect(h.receiver.received).toHaveLength(0);
    const log = await waitForAttempts(3);
    expect(log.map((a) => [a.attempt, a.status, a.dropped, a.delivered])).toEqual([
      [1, 0, true, false],
      [2, 0, true, false],
      [3, 200, false, true],
    ]);
    expect(h.receiver.received).toHaveLength(1);
    expect((await h.client.get('/_sandbox/config'))['webhookDrop']).toBe(0);
    expect(await h.client.stats()).toMatchObject({
      webhooks_dropped: 2,
      webhooks_sent: 1,
      webhooks_retried: 2,
    });
  });

  test('scale 0 disables retries', async () => {
    await h.client.config({ webhookRetry: { scale: 0 } });
    h.receiver.status = 500;
    await send();
    await sleep(150);
    expect(await deliveries()).toHaveLength(1);
    expect((await h.client.stats())['webhooks_given_up']).toBe(1);
  });

  test('reset cancels scheduled retries and empties the log', async () => {
    // The retry is due 1.5 s after the first attempt: the reset comes well before it, and the
    // wait after the reset is past it.
    await h.client.config({ webhookRetry: { scale: 0.005 } });
    h.receiver.status = 500;
    await send();
    expect(await deliveries()).toHaveLength(1);
    await h.client.post('/_sandbox/reset');
    await sleep(2_000);
    expect(h.receiver.received).toHaveLength(1);
    expect(await deliveries()).toEqual([]);
    // reset restores the start values of the retry settings.
    expect((await h.client.get('/_sandbox/config'))['webhookRetry']).toEqual({
      scale: 1,
      timestamp: 'original',
    });
  });

  test('remove-app and /oauth/revoke deliveries follow the schedule', async () => {
    const t = await h.client.login('ada');
    h.receiver.status = 500;
    const removed = await json(await h.client.post('/_sandbox/remove-app', { user: 'ada' }));
    expect(removed).toMatchObject({ revoked: true, delivered: false, status: 500 });
    let log = await waitForAttempts(4);
    expect(log.every((a) => a.id === removed['delivery_id'])).toBe(true);
    expect((await h.client.api('/users/me', t.access_token)).status).toBe(401);

    await h.client.post('/_sandbox/reset');
    await h.client.config({ webhookRetry: { scale: SCALE } });
    answerInTurn(502, 200);
    const t2 = await h.client.login('grace');
    const revoke = await fetch(`${h.sb.url}/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: basic() },
      body: form({ token: t2.access_token }),
    });
    expect(revoke.status).toBe(200);
    log = await waitForAttempts(2);
    expect(log.map((a) => [a.event, a.attempt, a.status])).toEqual([
      ['app_deauthorized', 1, 502],
      ['app_deauthorized', 2, 200],
    ]);
  });

  test('config refuses bad retry settings', async () => {
    for (const bad of [
      { webhookRetry: { scale: -1 } },
      { webhookRetry: { scale: 11 } },
      { webhookRetry: { timestamp: 'later' } },
      { webhookDrop: -1 },
      { webhookDrop: 1.5 },
    ]) {
      expect((await h.client.post('/_sandbox/config', bad)).status).toBe(400);
    }
  });
});

describe('webhook retries and close()', () => {
  test('SandboxOptions.webhookRetry sets the scale; close() cancels pending retries', async () => {
    const other = await startSandbox({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [REDIRECT_URI],
      webhookUrl,
      webhookSecretToken: WEBHOOK_SECRET,
      // The retry is due 1.5 s after the first attempt: close() comes well before it, and the
      // wait after close() is past it.
      webhookRetry: { scale: 0.005, timestamp: 'fresh' },
    });
    h.receiver.status = 500;
    const cfg = (await (await fetch(`${other.url}/_sandbox/config`)).json()) as Json;
    expect(cfg['webhookRetry']).toEqual({ scale: 0.005, timestamp: 'fresh' });
    await fetch(`${other.url}/_sandbox/webhooks/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'x', payload: {} }),
    });
    await other.close();
    await sleep(2_000);
    expect(h.receiver.received).toHaveLength(1);
  });

  test('the CLI reads SANDBOX_WEBHOOK_RETRY_SCALE', () => {
    const env = {
      ZOOM_CLIENT_ID: CLIENT_ID,
      ZOOM_CLIENT_SECRET: CLIENT_SECRET,
      ZOOM_REDIRECT_URL: REDIRECT_URI,
    };
    const ok = optionsFromEnv({ ...env, SANDBOX_WEBHOOK_RETRY_SCALE: '0.01' });
    expect(ok.ok && ok.opts.webhookRetry).toEqual({ scale: 0.01 });
    const unset = optionsFromEnv(env);
    expect(unset.ok && unset.opts.webhookRetry).toBeUndefined();
    expect(optionsFromEnv({ ...env, SANDBOX_WEBHOOK_RETRY_SCALE: 'fast' }).ok).toBe(false);
  });

  test('startSandbox refuses a bad scale', async () => {
    await expect(
      startSandbox({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [REDIRECT_URI],
        webhookRetry: { scale: -1 },
      }),
    ).rejects.toThrow(/webhookRetry.scale/);
  });
});
