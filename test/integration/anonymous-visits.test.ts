import { Browser, sessionIdOf, submitConsent } from '../../harness/browser';
import { startStack, type Stack } from '../../harness/stack';

/**
 * An anonymous visitor leaves at most minutes of state: anyone can send these requests, so
 * nothing they write may outlive 15 minutes (a pending sign-in, its own 10), whatever the
 * number of visitors.
 */

const FIFTEEN_MINUTES_S = 15 * 60;
const SIGN_IN_LIFETIME_S = 10 * 60;

let stack: Stack;
beforeAll(async () => {
  // No brake: the point is what many visitors leave behind, not the rate limit.
  stack = await startStack({ env: { RATE_LIMIT_INSTALL_PER_10_MIN: '100000' } });
});
afterAll(async () => {
  await stack.close();
});

async function inBatches(
  n: number,
  size: number,
  one: (i: number) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < n; i += size) {
    await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => one(i + j)));
  }
}

/** Every key of the stack with its time to live in seconds (-1: none, -2: gone). */
async function lives(): Promise<Map<string, number>> {
  const keys = await stack.keys();
  const ttls = await Promise.all(keys.map((k) => stack.admin.ttl(k)));
  return new Map(keys.map((k, i) => [k, ttls[i] ?? -2]));
}

test('a thousand anonymous installs (and what else a stranger can send) leave no key living past 15 minutes', async () => {
  const url = stack.app.url;
  let redirected = 0;
  await inBatches(1000, 25, async (i) => {
    const b = new Browser();
    const r = await b.get(`${url}/install`, { follow: false });
    if (r.status === 302) redirected++;
    // Some come back with a state that is not theirs, some start a second tab.
    if (i % 10 === 0) await b.get(`${url}/oauth/callback?code=x&state=forged`, { follow: false });
    if (i % 10 === 1) await b.get(`${url}/install`, { follow: false });
  });
  await inBatches(50, 25, async () => {
    await fetch(`${url}/webhooks/zoom`, { method: 'POST', body: '{}' }); // badly signed
    await fetch(`${url}/`);
    await fetch(`${url}/nowhere`);
  });
  expect(redirected).toBe(1000);

  const all = await lives();
  const sessions = [...all].filter(([k]) => k.startsWith(stack.keyNames.sessionPrefix));
  expect(sessions.length).toBeGreaterThanOrEqual(900); // the callbacks spent some
  for (const [key, ttl] of all) {
    expect({ key, ttl: ttl > 0 && ttl <= FIFTEEN_MINUTES_S }).toEqual({ key, ttl: true });
  }
  // A pending sign-in lives no longer than itself.
  for (const [key, ttl] of sessions) {
    expect({ key, ttl: ttl <= SIGN_IN_LIFETIME_S }).toEqual({ key, ttl: true });
  }
});

test('signing in gives the session its full life; the pending one it came from is gone', async () => {
  const b = new Browser();
  const consent = await b.get(`${stack.app.url}/install`);
  const pending = sessionIdOf(b.cookie(stack.app.url, 'zar.sid') ?? '');
  expect(await stack.admin.ttl(`${stack.keyNames.sessionPrefix}${pending}`)).toBeLessThanOrEqual(
    SIGN_IN_LIFETIME_S,
  );
  await submitConsent(b, consent, 'ada', 'allow');
  const sid = sessionIdOf(b.cookie(stack.app.url, 'zar.sid') ?? '');
  expect(sid).not.toBe(pending);
  expect(await stack.admin.exists(`${stack.keyNames.sessionPrefix}${pending}`)).toBe(0);
  expect(await stack.admin.ttl(`${stack.keyNames.sessionPrefix}${sid}`)).toBeGreaterThan(24 * 3600);
});

describe('TRUST_PROXY=1 (behind Heroku’s router)', () => {
  let proxied: Stack;
  beforeAll(async () => {
    proxied = await startStack({
      env: { TRUST_PROXY: '1', RATE_LIMIT_INSTALL_PER_10_MIN: '2' },
    });
  });
  afterAll(async () => {
    await proxied.close();
  });

  test('the client is the address the router appended: each its own budget, whatever it claims before', async () => {
    const install = (forwardedFor: string): Promise<number> =>
      new Browser({ 'x-forwarded-for': forwardedFor })
        .get(`${proxied.app.url}/install`, { follow: false })
        .then((p) => p.status);
    const a: number[] = [];
    for (const claimed of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) {
      a.push(await install(`${claimed}, 203.0.113.7`)); // the router's entry is last
    }
    expect(a).toEqual([302, 302, 429]);
    expect(await install('203.0.113.8')).toBe(302); // another client
  });
});
