import { Browser, signIn } from '../../harness/browser';
import { startStack, type Stack } from '../../harness/stack';
import { makeTokenStale, valueOf } from '../../harness/grant-records';
import { UnreadableTokenRecordError } from '../../src/zoom/grant';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ instances: 2 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.reset();
  for (const a of stack.apps) a.refreshGrants = 0;
});

async function signedIn(user = 'ada'): Promise<{ browser: Browser; userId: string }> {
  const browser = new Browser();
  await signIn(browser, stack.app.url, user);
  return { browser, userId: await stack.control.userId(user) };
}

const totalGrants = (): number => stack.apps.reduce((n, a) => n + a.refreshGrants, 0);

test('a fresh token is used as stored: no refresh on every call', async () => {
  const { browser } = await signedIn();
  for (let i = 0; i < 3; i++) {
    const page = await browser.get(`${stack.app.url}/`);
    expect(page.status).toBe(200);
  }
  expect((await stack.control.stats()).token_refresh).toBe(0);
});

test('refresh before expiry: inside the 5-minute margin the token is renewed once, then reused', async () => {
  const { browser, userId } = await signedIn();
  const before = await stack.tokenStore.get(userId);
  await makeTokenStale(stack.tokenStore, userId, 4 * 60 * 1000);
  const page = await browser.get(`${stack.app.url}/`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('grace.assistant@example.com');
  const after = await stack.tokenStore.get(userId);
  expect(after?.refreshToken).not.toBe(before?.refreshToken);
  expect(after?.accessExpiresAt).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
  await browser.get(`${stack.app.url}/`);
  expect((await stack.control.stats()).token_refresh).toBe(1);
});

test('refresh on 401: a token Zoom refuses is refreshed once and the call retried', async () => {
  const { browser } = await signedIn();
  await stack.control.post('/invalidate-access-tokens', { user: 'ada' });
  const page = await browser.get(`${stack.app.url}/`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('grace.assistant@example.com');
  const stats = await stack.control.stats();
  expect(stats.token_refresh).toBe(1);
  // The dashboard's two lists were both refused; one refresh served both retries.
  expect(stats.api_401).toBe(2);
  expect(stats.list_assistants).toBe(1 + 2); // sign-in, the refused call, the retry
});

test('50 concurrent requests with a stale token → exactly 1 refresh grant, all succeed', async () => {
  const { browser, userId } = await signedIn();
  await stack.control.post('/expire-tokens', { user: 'ada' });
  await makeTokenStale(stack.tokenStore, userId, -1000);
  const pages = await Promise.all(
    Array.from({ length: 50 }, () => browser.clone().get(`${stack.app.url}/`)),
  );
  expect(pages.map((p) => p.status)).toEqual(Array(50).fill(200));
  const stats = await stack.control.stats();
  expect(stats.token_refresh).toBe(1);
  expect(stats.token_refresh_invalid_grant).toBe(0);
  expect(totalGrants()).toBe(1);
});

test('two app instances on one Redis, stale token → exactly 1 refresh grant', async () => {
  const { browser, userId } = await signedIn();
  await stack.control.post('/expire-tokens', { user: 'ada' });
  await makeTokenStale(stack.tokenStore, userId, -1000);
  // Slow the refresh so that both instances are certainly inside it together.
  await stack.control.post('/faults', { target: 'token', delayMs: 200, count: 5 });
  const [a, b] = stack.apps;
  const pages = await Promise.all(
    Array.from({ length: 20 }, (_, i) => browser.clone().get(`${(i % 2 ? a : b)?.url}/`)),
  );
  expect(pages.every((p) => p.status === 200)).toBe(true);
  expect((await stack.control.stats()).token_refresh).toBe(1);
  expect(stack.apps.map((x) => x.refreshGrants).sort()).toEqual([0, 1]);
});

test('50 concurrent 401s on two instances → exactly 1 refresh (the refused token is compared under the lock)', async () => {
  const { browser } = await signedIn();
  await stack.control.post('/invalidate-access-tokens', { user: 'ada' });
  const pages = await Promise.all(
    Array.from({ length: 50 }, (_, i) => browser.clone().get(`${stack.apps[i % 2]?.url}/`)),
  );
  expect(pages.map((p) => p.status)).toEqual(Array(50).fill(200));
  expect((await stack.control.stats()).token_refresh).toBe(1);
});

test('invalid_grant → the reconnect page (not a 5xx), the record deleted, no loop on the next visit', async () => {
  const { browser, userId } = await signedIn();
  await stack.control.post('/revoke-grant', { user: 'ada' });
  await makeTokenStale(stack.tokenStore, userId, -1000);
  const page = await browser.get(`${stack.app.url}/`);
  expect(page.status).toBe(401);
  expect(page.text).toContain('Reconnect to Zoom');
  expect(page.text).toContain('href="/install"');
  expect(await stack.tokenStore.get(userId)).toBeNull();
  const next = await browser.get(`${stack.app.url}/`);
  expect(next.status).toBeLessThan(500);
  const stats = await stack.control.stats();
  expect(stats.token_refresh).toBe(1); // at most one failing grant
});

test('invalid_grant after another holder rotated the token: the newer record is used, nothing deleted', async () => {
  const { browser, userId } = await signedIn();
  const store = stack.tokenStore;
  const current = await store.get(userId);
  if (!current) throw new Error('no record');
  // A holder whose lock expired refreshed meanwhile: simulate by rotating at the sandbox and
  // storing the new pair, while this app's record is made stale with the OLD refresh token.
  const res = await fetch(`${stack.sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${stack.credentials.clientId}:${stack.credentials.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: current.refreshToken }),
  });
  const fresh = (await res.json()) as { access_token: string; refresh_token: string };
  // The app first reads a stale record with the dead refresh token; on invalid_grant its
  // re-read finds the fresh one.
  await store.put(userId, { ...current, accessExpiresAt: Date.now() - 1000 });
  // Arrange the race: the refresh call is delayed, during which the fresh pair lands in Redis.
  await stack.control.post('/faults', { target: 'token', delayMs: 3_000 });
  const applied = (await stack.control.stats()).faults_applied ?? 0;
  const pending = browser.get(`${stack.app.url}/`);
  // The refresh has reached Zoom, which holds it while the fresh pair lands.
  while (((await stack.control.stats()).faults_applied ?? 0) === applied) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await store.put(userId, {
    ...current,
    accessToken: fresh.access_token,
    refreshToken: fresh.refresh_token,
    accessExpiresAt: Date.now() + 3600_000,
  });
  const page = await pending;
  expect(page.status).toBe(200);
  expect(page.text).toContain('grace.assistant@example.com');
  const kept = await store.get(userId);
  expect(kept?.refreshToken).toBe(fresh.refresh_token);
});

test('a 5xx on refresh never deletes anything', async () => {
  const { browser, userId } = await signedIn();
  await makeTokenStale(stack.tokenStore, userId, -1000);
  await stack.control.post('/faults', { target: 'token', status: 500 });
  const page = await browser.get(`${stack.app.url}/`);
  expect(page.status).toBe(502);
  expect(page.text).toContain('Zoom did not answer; try again.');
  expect(await stack.tokenStore.get(userId)).not.toBeNull();
  const retry = await browser.get(`${stack.app.url}/`);
  expect(retry.status).toBe(200);
});

test('no plaintext token in any Redis value; the record names its key and is bound to its user', async () => {
  const { userId } = await signedIn('ada');
  await signedIn('grace');
  const snap = await stack.control.get<{ grant: { access_token: string; refresh_token: string } }>(
    '/users/ada',
  );
  const keys = await stack.keys();
  expect(keys.length).toBeGreaterThan(0);
  for (const k of keys) {
    const value = await valueOf(stack.admin, k);
    expect(value).not.toContain(snap.grant.access_token);
    expect(value).not.toContain(snap.grant.refresh_token);
    expect(value).not.toMatch(/eyJ[\w-]+\.eyJ/);
  }
  // A record copied under another user's key does not open.
  const graceId = await stack.control.userId('grace');
  const sealed = await stack.admin.get(stack.keyNames.grantRecord(userId));
  await stack.admin.set(stack.keyNames.grantRecord(graceId), sealed ?? '');
  await expect(stack.tokenStore.get(graceId)).rejects.toBeInstanceOf(UnreadableTokenRecordError);
  // The key's TTL is set (renewed on every write).
  expect(await stack.admin.ttl(stack.keyNames.grantRecord(userId))).toBeGreaterThan(89 * 24 * 3600);
});

test('a session survives an app restart (a new process on the same Redis)', async () => {
  const { browser } = await signedIn();
  const fresh = await stack.addInstance();
  // The platform's router would send the same cookie to whichever process it picks.
  browser.setCookie(fresh.url, 'zar.sid', browser.cookie(stack.app.url, 'zar.sid') ?? '');
  const page = await browser.get(`${fresh.url}/`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Ada Lovelace');
});
