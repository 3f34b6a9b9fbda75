import { PAGES, VIEW } from '../../src/http/copy';
import {
  Browser,
  hiddenField,
  signIn,
  submitConsent,
  callbackUrlFor,
  csrfOf,
} from '../../harness/browser';
import { startStack, type Stack } from '../../harness/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.reset();
});

describe('signed out', () => {
  test('the landing page explains the app and offers Add to Zoom', async () => {
    const page = await new Browser().get(`${stack.app.url}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(VIEW.landing.addToZoom);
    expect(page.text).toContain('href="/install"');
    expect(page.headers.get('set-cookie')).toBeNull(); // no session for a visitor
  });
});

describe('/install', () => {
  test('redirects to the authorize URL with a fresh state and an S256 PKCE challenge', async () => {
    const browser = new Browser();
    const a = await browser.get(`${stack.app.url}/install`, { follow: false });
    const b = await browser.get(`${stack.app.url}/install`, { follow: false });
    expect(a.status).toBe(302);
    const url = new URL(a.headers.get('location') ?? '');
    expect(url.origin + url.pathname).toBe(`${stack.sandbox.url}/oauth/authorize`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe('test-client-id');
    expect(url.searchParams.get('redirect_uri')).toBe(`${stack.app.url}/oauth/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = url.searchParams.get('state') ?? '';
    expect(Buffer.from(state, 'base64url').length).toBeGreaterThanOrEqual(16);
    const state2 = new URL(b.headers.get('location') ?? '').searchParams.get('state');
    expect(state2).not.toBe(state);
    // The state and verifier live server-side: the only cookie is the opaque session id.
    const cookies = a.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^zar\.sid=/);
    expect(cookies[0]).toMatch(/HttpOnly/);
    expect(cookies[0]).toMatch(/SameSite=Lax/);
    expect(cookies[0]).not.toContain(state);
  });
});

describe('the callback', () => {
  test('the whole install: consent → tokens stored → signed in → the dashboard lists assistants', async () => {
    const browser = new Browser();
    const before = browser.cookie(stack.app.url, 'zar.sid');
    await browser.get(`${stack.app.url}/install`, { follow: false });
    const preSession = browser.cookie(stack.app.url, 'zar.sid');
    const page = await signIn(browser, stack.app.url, 'ada');
    expect(before).toBeUndefined();
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${stack.app.url}/`);
    expect(page.text).toContain('Ada Lovelace');
    expect(page.text).toContain('ada@example.com');
    expect(page.text).toContain('grace.assistant@example.com');
    expect(page.text).toContain(VIEW.dashboard.canSchedule(3));
    // A new session id on sign-in.
    expect(browser.cookie(stack.app.url, 'zar.sid')).not.toBe(preSession);
    const keys = await stack.keys();
    expect(keys.filter((k) => k.includes(':tokens:'))).toHaveLength(1);
    const stats = await stack.control.stats();
    expect(stats.token_authorization_code).toBe(1);
    expect(stats.users_me).toBe(1);
  });

  test('denied consent → a friendly "you cancelled" page, nothing stored', async () => {
    const browser = new Browser();
    const consent = await browser.get(`${stack.app.url}/install`);
    const page = await submitConsent(browser, consent, 'ada', 'deny');
    expect(page.status).toBe(403);
    expect(page.text).toContain(PAGES.cancelled.heading);
    expect(page.text).toContain('href="/"');
    expect((await stack.keys()).filter((k) => k.includes(':tokens:'))).toHaveLength(0);
  });

  test('a wrong state → 400, nothing stored, no code exchange', async () => {
    const browser = new Browser();
    await browser.get(`${stack.app.url}/install`, { follow: false });
    const page = await browser.get(`${stack.app.url}/oauth/callback?code=abc&state=not-the-state`);
    expect(page.status).toBe(400);
    expect(page.text).toContain(PAGES.linkExpired.heading);
    expect((await stack.control.stats()).token_authorization_code).toBe(0);
    expect((await stack.keys()).filter((k) => k.includes(':tokens:'))).toHaveLength(0);
  });

  test('a replayed callback (same state and code): the dashboard while signed in, 400 once signed out; one exchange', async () => {
    const browser = new Browser();
    const callbackUrl = (await callbackUrlFor(browser, stack.app.url, 'grace')).toString();
    const first = await browser.get(callbackUrl);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Grace Hopper');
    // Back, or the same link opened again: signed in, so the dashboard — not an error page.
    const again = await browser.get(callbackUrl);
    expect(again.status).toBe(200);
    expect(again.trail.at(-1)).toBe(`${stack.app.url}/`);
    expect(again.text).toContain('Grace Hopper');
    await browser.postForm(`${stack.app.url}/logout`, { _csrf: csrfOf(again) });
    const afterSignOut = await browser.get(callbackUrl);
    expect(afterSignOut.status).toBe(400);
    expect(afterSignOut.text).toContain(PAGES.linkExpired.heading);
    expect((await stack.control.stats()).token_authorization_code).toBe(1);
  });

  test('an expired state (older than 10 minutes) → 400', async () => {
    const browser = new Browser();
    const consent = await browser.get(`${stack.app.url}/install`);
    // Age the pending state in the stored session by hand.
    const sid = decodeURIComponent(browser.cookie(stack.app.url, 'zar.sid') ?? '')
      .slice(2)
      .split('.')[0];
    const key = `${stack.prefix}sess:${sid}`;
    const sess = JSON.parse((await stack.admin.get(key)) ?? '{}') as {
      pendingAuth: { expiresAt: number }[];
    };
    for (const p of sess.pendingAuth) p.expiresAt = Date.now() - 1;
    await stack.admin.set(key, JSON.stringify(sess), 'KEEPTTL');
    const page = await submitConsent(browser, consent, 'ada', 'allow');
    expect(page.status).toBe(400);
    expect(page.text).toContain(PAGES.linkExpired.heading);
    expect((await stack.control.stats()).token_authorization_code).toBe(0);
  });

  test('a code refused by Zoom → 400 with "try again", nothing stored', async () => {
    const browser = new Browser();
    const consent = await browser.get(`${stack.app.url}/install`);
    const state = hiddenField(consent.text, 'state');
    const page = await browser.get(
      `${stack.app.url}/oauth/callback?code=made-up-code&state=${encodeURIComponent(state)}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('Try again');
    expect((await stack.control.stats()).token_authorization_code).toBe(1);
    expect((await stack.keys()).filter((k) => k.includes(':tokens:'))).toHaveLength(0);
  });

  test('a code without state (Marketplace "Add") → 302 to /install, nothing exchanged', async () => {
    const page = await new Browser().get(`${stack.app.url}/oauth/callback?code=from-marketplace`, {
      follow: false,
    });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/install');
    expect((await stack.control.stats()).token_authorization_code).toBe(0);
  });

  test('Zoom down during the exchange → an error page, nothing stored', async () => {
    const browser = new Browser();
    const consent = await browser.get(`${stack.app.url}/install`);
    await stack.control.post('/faults', { target: 'token', status: 503 });
    const page = await submitConsent(browser, consent, 'ada', 'allow');
    expect(page.status).toBe(502);
    expect(page.text).toContain(PAGES.signInUnanswered.heading);
    expect((await stack.keys()).filter((k) => k.includes(':tokens:'))).toHaveLength(0);
  });

  test('malformed query values → 400, never a 500', async () => {
    const b = new Browser();
    for (const q of ['code=a&code=b&state=x', 'code=1&state=a&state=b', 'error=weird', 'state=x']) {
      const page = await b.get(`${stack.app.url}/oauth/callback?${q}`, { follow: false });
      expect(page.status).toBe(400);
    }
    // Express's simple query parser takes `state[a]` as a name of its own: no state at all.
    const bracket = await b.get(`${stack.app.url}/oauth/callback?state[a]=1&code=1`, {
      follow: false,
    });
    expect(bracket.status).toBe(302);
  });
});

describe('sign out', () => {
  test('POST /logout ends the session; the tokens stay for the next sign-in', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const out = await browser.postForm(`${stack.app.url}/logout`, { _csrf: csrfOf(dash) });
    expect(out.status).toBe(200);
    expect(out.text).toContain(VIEW.landing.addToZoom);
    expect((await stack.keys()).filter((k) => k.includes(':tokens:'))).toHaveLength(1);
    // Signing in again needs no consent (the sandbox remembers the grant).
    const again = await signIn(browser, stack.app.url, 'ada');
    expect(again.text).toContain('Ada Lovelace');
    expect((await stack.control.stats()).consent_allow).toBe(1);
  });

  test('POST /logout without the CSRF token → 403, still signed in', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    const out = await browser.postForm(`${stack.app.url}/logout`, {});
    expect(out.status).toBe(403);
    const dash = await browser.get(`${stack.app.url}/`);
    expect(dash.text).toContain('Ada Lovelace');
  });
});
