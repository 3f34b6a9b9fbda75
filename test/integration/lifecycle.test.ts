import { ACTION_WORDS, PAGE, PAGES, VIEW } from '../../src/http/copy';
import { createHmac } from 'node:crypto';
import { Browser, signIn, csrfOf, html } from '../../harness/browser';
import { startStack, type Stack, type AppInstance } from '../../harness/stack';
import { keysNamingUser, makeTokenStale } from '../../harness/grant-records';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ instances: 2, logLevel: 'debug' });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.reset();
  stack.logLines.length = 0;
});

const hook = (): string => `${stack.app.url}/webhooks/zoom`;

/** Polls until `probe` returns a value: what comes, comes; only a failure waits out 20 s. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function sign(body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const mac = createHmac('sha256', stack.credentials.webhookSecret)
    .update(`v0:${ts}:${body}`)
    .digest('hex');
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-zm-request-timestamp': String(ts),
    'x-zm-signature': `v0=${mac}`,
  };
}

async function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(hook(), { method: 'POST', headers, body });
}

function deauthBody(userId: string, topLevelTs = true): string {
  const payload: Record<string, unknown> = {
    account_id: 'MXEuWmOmTsKWUswrfpPslg',
    client_id: 'test-client-id',
    deauthorization_time: new Date().toISOString(),
    signature: 'f'.repeat(64),
    user_data_retention: null,
    user_id: userId,
  };
  if (!topLevelTs) payload.event_ts = '2024-09-08 15:58:40';
  return JSON.stringify({
    event: 'app_deauthorized',
    ...(topLevelTs ? { event_ts: Date.now() } : {}),
    payload,
  });
}

describe('signature checks', () => {
  test('endpoint.url_validation is answered with the HMAC of plainToken, fast', async () => {
    const started = Date.now();
    const r = await stack.control.post<{ ok: boolean }>('/webhooks/url-validation');
    expect(r.ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000); // Zoom's window
  });

  test('missing headers, a bad signature or a stale timestamp → 401, nothing changes, one warning', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    const userId = await stack.control.userId('ada');
    const body = deauthBody(userId);
    // Past even the 24 hours a deauthorization may be late by.
    const stale = Math.floor(Date.now() / 1000) - 25 * 60 * 60;
    const answers = [
      await post(body, { 'content-type': 'application/json' }),
      await post(body, { ...sign(body), 'x-zm-signature': `v0=${'0'.repeat(64)}` }),
      await post(body, sign(body, stale)), // a replay of an old, valid notification
      await post(body, sign(body, Math.floor(Date.now() / 1000) + 6 * 60)),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    expect(await stack.tokenStore.get(userId)).not.toBeNull();
    expect((await browser.get(`${stack.app.url}/`)).text).toContain('Ada Lovelace');
    const warnings = stack.logLines.filter((l) => l.includes('webhook rejected'));
    expect(warnings).toHaveLength(4);
    for (const w of warnings) {
      expect(w).not.toContain(userId);
      expect(w).not.toContain(stack.credentials.webhookSecret);
      expect(w).not.toContain('x-zm-signature');
    }
  });

  test('the sandbox sending a deliberately mis-signed notification → 401', async () => {
    const r = await stack.control.post<{ status: number }>('/webhooks/send', {
      event: 'app_deauthorized',
      payload: { user_id: 'abc' },
      sign: 'bad',
    });
    expect(r.status).toBe(401);
  });

  test('a signature over re-serialized JSON, when the raw body has other whitespace → 401', async () => {
    const userId = await stack.control.userId('ada');
    const compact = deauthBody(userId);
    const spaced = JSON.stringify(JSON.parse(compact), null, 2);
    const r = await post(spaced, sign(compact));
    expect(r.status).toBe(401);
    // And the same spaced body signed as sent is accepted: the raw bytes are what count.
    expect((await post(spaced, sign(spaced))).status).toBe(200);
  });

  test('a body over 64 KB → 413', async () => {
    const body = JSON.stringify({ event: 'x', payload: { pad: 'a'.repeat(65 * 1024) } });
    const r = await post(body, sign(body));
    expect(r.status).toBe(413);
  });

  test('malformed JSON after a valid signature → 400', async () => {
    const body = '{"event": "app_deauthorized", ';
    expect((await post(body, sign(body))).status).toBe(400);
  });

  test('another event → 200, ignored, logged at debug', async () => {
    const body = JSON.stringify({ event: 'meeting.started', event_ts: Date.now(), payload: {} });
    const r = await post(body, sign(body));
    expect(r.status).toBe(200);
    expect(
      stack.logLines.some((l) => l.includes('"level":20') && l.includes('meeting.started')),
    ).toBe(true);
  });
});

describe('app_deauthorized', () => {
  test('deletes the token record and every session; the old cookie is signed out on every instance', async () => {
    const laptop = new Browser();
    const phone = new Browser();
    await signIn(laptop, stack.app.url, 'ada');
    await signIn(phone, stack.apps[1]?.url ?? '', 'ada');
    const userId = await stack.control.userId('ada');
    const r = await stack.control.post<{ delivered: boolean; status: number }>('/remove-app', {
      user: 'ada',
    });
    expect(r.status).toBe(200);
    expect(await stack.tokenStore.get(userId)).toBeNull();
    const [app0, app1] = stack.apps as [AppInstance, AppInstance];
    // The laptop's cookie taken to the other instance too, as the platform's router might.
    const laptopOnApp1 = laptop.clone();
    laptopOnApp1.setCookie(app1.url, 'zar.sid', laptop.cookie(app0.url, 'zar.sid') ?? '');
    for (const [browser, app] of [
      [laptop, app0],
      [phone, app1],
      [laptopOnApp1, app1],
    ] as const) {
      const page = await browser.get(`${app.url}/`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(VIEW.landing.addToZoom);
    }
    const audit = stack.logLines.filter((l) => l.includes('"audit":"app_deauthorized"'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toContain(userId);
    expect(audit[0]).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  test('data we keep: after deauthorization no Redis key belongs to the user', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    await signIn(new Browser(), stack.app.url, 'ada');
    const userId = await stack.control.userId('ada');
    expect((await keysNamingUser(stack, userId, 'ada@example.com')).length).toBeGreaterThanOrEqual(
      3,
    );
    const body = deauthBody(userId);
    expect((await post(body, sign(body))).status).toBe(200);
    expect(await keysNamingUser(stack, userId, 'ada@example.com')).toEqual([]);
  });

  test('the same notification twice → 200 both times; a time in payload.event_ts is read too', async () => {
    await signIn(new Browser(), stack.app.url, 'grace');
    const userId = await stack.control.userId('grace');
    // Zoom's documented example: no deauthorization_time, event_ts as "YYYY-MM-DD hh:mm:ss".
    const at = new Date(Date.now() + 2000);
    const eventTs = at.toISOString().slice(0, 19).replace('T', ' ');
    const body = JSON.stringify({
      event: 'app_deauthorized',
      payload: { user_id: userId, client_id: 'test-client-id', event_ts: eventTs },
    });
    const first = await post(body, sign(body));
    const second = await post(body, sign(body));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await stack.tokenStore.get(userId)).toBeNull();
    const audit = stack.logLines.filter((l) => l.includes('"audit":"app_deauthorized"'));
    expect(audit[0]).toContain(`"deauthorizedAt":"${eventTs.replace(' ', 'T')}.000Z"`);
  });
});

describe('uninstall from the dashboard', () => {
  async function disconnect(
    browser: Browser,
    confirm = true,
  ): Promise<Awaited<ReturnType<Browser['get']>>> {
    const dash = await browser.get(`${stack.app.url}/`);
    return browser.postForm(`${stack.app.url}/disconnect`, {
      _csrf: csrfOf(dash),
      ...(confirm ? { confirm: 'yes' } : {}),
    });
  }

  test('revokes at Zoom, deletes the record and all sessions, says goodbye; the follow-up notification finds nothing', async () => {
    const browser = new Browser();
    const other = new Browser();
    // Two sign-ins, two sessions; the later one's grant is the live one.
    await signIn(other, stack.app.url, 'ada');
    await signIn(browser, stack.app.url, 'ada');
    const userId = await stack.control.userId('ada');
    const page = await disconnect(browser);
    expect(page.status).toBe(200);
    expect(page.text).toContain(PAGE.disconnected(true, 0).heading);
    expect(page.text).toContain(PAGE.disconnected(true, 0).paragraphs[0] ?? '');
    expect(page.text).toContain(html(PAGE.disconnected(true, 0).paragraphs[2] ?? ''));
    const snap = await stack.control.get<{ grant: { status: string } }>('/users/ada');
    expect(snap.grant.status).toBe('revoked');
    expect(await keysNamingUser(stack, userId, 'ada@example.com')).toEqual([]);
    expect((await other.get(`${stack.app.url}/`)).text).toContain(VIEW.landing.addToZoom);
    // Zoom's app_deauthorized after our own revoke (sent after its answer): a 200 that finds
    // nothing.
    await until('the deauthorization to be delivered', async () => {
      const log = await stack.control.get<{ deliveries: unknown[] }>('/webhooks/deliveries');
      return log.deliveries.length > 0 ? true : undefined;
    });
    const stats = await stack.control.stats();
    expect(stats.webhooks_delivered).toBe(1);
    // Whichever of the two lands first deletes; the other finds nothing. Together: all of it, once.
    const audits = stack.logLines
      .filter((l) => /"audit":"(app_deauthorized|disconnect)"/.test(l))
      .map((l) => (JSON.parse(l) as { ending: { sessions: number; tokenRecord: boolean } }).ending);
    expect(audits).toHaveLength(2);
    expect(audits.reduce((n, a) => n + a.sessions, 0)).toBe(2);
    expect(audits.filter((a) => a.tokenRecord)).toHaveLength(1);
  });

  test('when the revoke answers 500, everything is still deleted locally and the page says where to look', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    const userId = await stack.control.userId('ada');
    await stack.control.post('/faults', { target: 'revoke', status: 500 });
    const page = await disconnect(browser);
    expect(page.status).toBe(200);
    expect(page.text).toContain(html(PAGE.disconnected(false, 0).paragraphs[2] ?? ''));
    expect(await keysNamingUser(stack, userId, 'ada@example.com')).toEqual([]);
  });

  test('without the confirmation nothing happens', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    const page = await disconnect(browser, false);
    expect(page.text).toContain(html(ACTION_WORDS.disconnect.notConfirmed));
    expect((await stack.control.stats()).revoke).toBe(0);
    expect(await stack.tokenStore.get(await stack.control.userId('ada'))).not.toBeNull();
  });
});

test('a grant found revoked while in use ends all the user’s sessions, not only the current one', async () => {
  const a = new Browser();
  const b = new Browser();
  await signIn(a, stack.app.url, 'ada');
  await signIn(b, stack.app.url, 'ada');
  await stack.control.post('/revoke-grant', { user: 'ada' });
  await stack.control.post('/invalidate-access-tokens', { user: 'ada' });
  const page = await b.get(`${stack.app.url}/`);
  expect(page.text).toContain(PAGES.reconnect.heading);
  const other = await a.get(`${stack.app.url}/`);
  expect(other.text).toContain(VIEW.landing.addToZoom);
  const userId = await stack.control.userId('ada');
  expect(await keysNamingUser(stack, userId, 'ada@example.com')).toEqual([]);
});

test('a refresh that finishes after the deauthorization does not bring the grant back', async () => {
  const browser = new Browser();
  await signIn(browser, stack.app.url, 'ada');
  const userId = await stack.control.userId('ada');
  await makeTokenStale(stack.tokenStore, userId, -1000);
  // Zoom holds Ada's refresh until the deauthorization has landed (no clock: the sandbox's
  // per-user latency holds her calls until it is lowered).
  await stack.control.post('/config', { userLatencyMs: { ada: 120_000 } });
  const pending = browser.get(`${stack.app.url}/`);
  try {
    await until('the refresh to reach Zoom', async () =>
      (await stack.control.stats()).token_refresh === 1 ? true : undefined,
    );
    const body = deauthBody(userId);
    expect((await post(body, sign(body))).status).toBe(200);
    expect((await stack.control.stats()).token_refresh_ok).toBe(0); // still in flight
  } finally {
    await stack.control.post('/config', { userLatencyMs: {} });
  }
  const page = await pending;
  expect(page.status).toBeLessThan(500);
  expect((await stack.control.stats()).token_refresh_ok).toBe(1);
  expect(await keysNamingUser(stack, userId, 'ada@example.com')).toEqual([]);
  expect((await browser.get(`${stack.app.url}/`)).text).toContain(VIEW.landing.addToZoom);
});
