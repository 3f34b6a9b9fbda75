import { PAGE, VIEW } from '../../src/http/copy';
import { Browser, signIn, submitConsent, callbackUrlFor, csrfOf } from '../../harness/browser';
import { formTo } from '../../harness/forms';
import { startStack, type Stack } from '../../harness/stack';

/** Each control, shown to work (each assertion fails without its control). */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    instances: 2,
    env: {
      RATE_LIMIT_INSTALL_PER_10_MIN: '5',
      RATE_LIMIT_ACTIONS_PER_MIN: '3',
      RATE_LIMIT_WEBHOOK_PER_MIN: '4',
    },
  });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.reset();
});

describe('headers', () => {
  test('a strict CSP, no framing, no Referer', async () => {
    const res = await fetch(`${stack.app.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name ?? '', values.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('form-action')).toBe(`'self' ${stack.sandbox.url}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    // Not production here: no HSTS on plain http.
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  test('every answer asks for no browser feature and is never stored: pages, errors, redirects, JSON', async () => {
    const url = stack.app.url;
    const signedIn = new Browser();
    await signIn(signedIn, url, 'ada');
    const answers = await Promise.all([
      fetch(`${url}/`), // the landing page
      fetch(`${url}/nowhere`), // 404
      fetch(`${url}/assistants/clear`, { method: 'POST', body: 'confirm=yes' }), // 403 (no CSRF token)
      fetch(`${url}/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${'x'.repeat(200_000)}`,
      }), // 413
      fetch(`${url}/install`, { redirect: 'manual' }), // 302 to Zoom
      fetch(`${url}/webhooks/zoom`, { method: 'POST', body: '{}' }), // 401 JSON
      fetch(`${url}/healthz`),
      signedIn.get(`${url}/`).then((p) => ({ status: p.status, headers: p.headers })),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 404, 403, 413, 302, 401, 200, 200]);
    for (const a of answers) {
      expect(a.headers.get('permissions-policy')).toMatch(/(^|, )camera=\(\)/);
      expect(a.headers.get('permissions-policy')).toMatch(/(^|, )geolocation=\(\)/);
      expect(a.headers.get('cache-control')).toBe('no-store');
    }
    // Static files are the same for everyone: cached, and still no feature.
    const css = await fetch(`${url}/static/app.css`);
    expect(css.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(css.headers.get('permissions-policy')).toMatch(/microphone=\(\)/);
  });

  test('no page carries inline script or style (the CSP would block it)', async () => {
    const browser = new Browser();
    const pages = [
      await browser.get(`${stack.app.url}/`),
      await browser.get(`${stack.app.url}/nowhere`),
      await signIn(browser, stack.app.url, 'ada'),
      await browser.get(`${stack.app.url}/oauth/callback?code=x&state=y`),
    ];
    for (const p of pages) {
      expect(p.text).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
    }
  });
});

describe('CSRF and login CSRF', () => {
  test('a form posted from another site without the session’s token is refused before Zoom is called', async () => {
    const victim = new Browser();
    await signIn(victim, stack.app.url, 'ada');
    const attackerPage = await signIn(new Browser(), stack.app.url, 'grace');
    // The attacker's own valid token is useless in the victim's session.
    const res = await victim.postForm(`${stack.app.url}/assistants/clear`, {
      _csrf: csrfOf(attackerPage),
      count: '3',
    });
    expect(res.status).toBe(403);
    expect((await stack.control.stats()).delete_assistants).toBe(0);
  });

  test('login CSRF: an attacker’s valid code and state, opened in the victim’s browser, signs nobody in', async () => {
    const attacker = new Browser();
    const link = (await callbackUrlFor(attacker, stack.app.url, 'grace')).toString();
    const victim = new Browser();
    await victim.get(`${stack.app.url}/install`, { follow: false }); // the victim has a session
    const page = await victim.get(link);
    expect(page.status).toBe(400);
    expect((await victim.get(`${stack.app.url}/`)).text).not.toContain('Grace Hopper');
    expect((await stack.control.stats()).token_authorization_code).toBe(0);
  });
});

describe('sessions', () => {
  test('the cookie lives 7 days at most, and so does the stored session', async () => {
    const browser = new Browser();
    await browser.get(`${stack.app.url}/install`, { follow: false });
    await signIn(browser, stack.app.url, 'ada');
    const sid = decodeURIComponent(browser.cookie(stack.app.url, 'zar.sid') ?? '')
      .slice(2)
      .split('.')[0];
    const ttl = await stack.admin.ttl(`${stack.prefix}sess:${sid}`);
    expect(ttl).toBeGreaterThan(7 * 24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
  });

  test('a session idle for more than 24 hours is ended', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    const sid = decodeURIComponent(browser.cookie(stack.app.url, 'zar.sid') ?? '')
      .slice(2)
      .split('.')[0];
    const key = `${stack.prefix}sess:${sid}`;
    const sess = JSON.parse((await stack.admin.get(key)) ?? '{}') as { seenAt: number };
    sess.seenAt = Date.now() - 25 * 3600 * 1000;
    await stack.admin.set(key, JSON.stringify(sess), 'KEEPTTL');
    const page = await browser.get(`${stack.app.url}/`);
    expect(page.text).toContain(VIEW.landing.addToZoom);
    expect(await stack.admin.exists(key)).toBe(0);
  });

  test('a tampered or foreign session cookie is a signed-out visitor, never an error', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    const real = browser.cookie(stack.app.url, 'zar.sid') ?? '';
    for (const value of [real.slice(0, -2) + 'xx', 's%3Aforged.sig', 'garbage', '%%%']) {
      const b = new Browser();
      b.setCookie(stack.app.url, 'zar.sid', value);
      const page = await b.get(`${stack.app.url}/`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(VIEW.landing.addToZoom);
    }
  });
});

describe('rate limits shared by all processes', () => {
  test('/install per IP: the 6th in 10 minutes is a 429 page with Retry-After, on either instance', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const app = stack.apps[i % 2];
      const r = await new Browser().get(`${app?.url}/install`, { follow: false });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(r.text).toContain(PAGE.tooManyRequests(1).heading);
      }
    }
    expect(statuses).toEqual([302, 302, 302, 302, 302, 429]);
  });

  test('with TRUST_PROXY unset, a client rotating X-Forwarded-For is still one address: the 6th is a 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const spoofed = { 'x-forwarded-for': `203.0.113.${i + 1}, 198.51.100.${i + 1}` };
      const r = await new Browser(spoofed).get(`${stack.app.url}/install`, { follow: false });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([302, 302, 302, 302, 302, 429, 429, 429]);
  });

  test('a rate-limit key never carries what the client sent: an 8 KB X-Forwarded-For names no key', async () => {
    const huge = `${'a'.repeat(8_000)}, ${'b'.repeat(100)}`;
    for (const app of stack.apps) {
      await new Browser({ 'x-forwarded-for': huge }).get(`${app.url}/install`, { follow: false });
    }
    await fetch(`${stack.app.url}/webhooks/zoom`, {
      method: 'POST',
      body: '{}',
      headers: { 'x-forwarded-for': huge },
    });
    const keys = await stack.keys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key.length).toBeLessThan(100);
      expect(key).not.toMatch(/aaaa|bbbb|127\.0\.0\.1/);
    }
  });

  test('the callback has its own budget: a user who used up /install can still come back', async () => {
    const b = new Browser();
    for (let i = 0; i < 5; i++) await b.get(`${stack.app.url}/install`, { follow: false });
    expect((await b.get(`${stack.app.url}/install`, { follow: false })).status).toBe(429);
    const back = await b.get(`${stack.app.url}/oauth/callback?code=x&state=y`, { follow: false });
    expect(back.status).toBe(400); // judged on its state, not rate limited
  });

  test('assistant actions per user: the 4th in a minute is refused without calling Zoom', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const [app0, app1] = stack.apps;
    browser.setCookie(app1?.url ?? '', 'zar.sid', browser.cookie(app0?.url ?? '', 'zar.sid') ?? '');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await browser.postForm(
        `${stack.apps[i % 2]?.url}/assistants/clear`,
        // Four separate submits (a resubmit of one form is answered without acting again).
        {
          ...formTo(dash, '/assistants/clear').fields,
          confirm: 'yes',
          intent: `intent-of-submit-${i}`,
        },
        { follow: false },
      );
      statuses.push(r.status);
    }
    expect(statuses).toEqual([303, 303, 303, 429]);
    // Each allowed action read the list first (the first also removed); the 4th reached nobody.
    const stats = await stack.control.stats();
    expect(stats.list_assistants).toBe(1 + 3); // the dashboard at sign-in, then one per action
    expect(stats.delete_assistants).toBe(1);
  });

  test('webhook per IP: JSON 429 past the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${stack.app.url}/webhooks/zoom`, { method: 'POST', body: '{}' });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });
});

describe('no open redirect', () => {
  test('every redirect goes to a fixed path of ours or to Zoom’s authorize URL', async () => {
    const b = new Browser();
    const locations: string[] = [];
    for (const path of [
      '/oauth/callback?code=x&next=https://evil.example',
      '/oauth/callback?code=x&state=&redirect_uri=https://evil.example',
      '/install?redirect_uri=https://evil.example&next=//evil.example',
    ]) {
      const r = await b.get(`${stack.app.url}${path}`, { follow: false });
      const loc = r.headers.get('location');
      if (loc) locations.push(loc);
    }
    for (const loc of locations) {
      expect(loc === '/install' || loc.startsWith(`${stack.sandbox.url}/oauth/authorize?`)).toBe(
        true,
      );
      expect(loc).not.toContain('evil.example');
    }
    const consent = await b.get(`${stack.app.url}/install?redirect_uri=https://evil.example`);
    const done = await submitConsent(b, consent, 'ada', 'allow');
    expect(done.url).toBe(`${stack.app.url}/`);
  });
});
