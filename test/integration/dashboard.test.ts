import {
  ACTION_WORDS,
  LANDING_NOTICES,
  FAILURE,
  FLASH,
  PAGES,
  VIEW,
  titleOf,
} from '../../src/http/copy';
import { Browser, type Page, signIn, csrfOf, html } from '../../harness/browser';
import { formTo } from '../../harness/forms';
import { keysNamingUser } from '../../harness/grant-records';
import { startStack, type Stack } from '../../harness/stack';

let stack: Stack;
beforeAll(async () => {
  // Zoom's calls may take 2 s here (every call of every test: a loaded machine can take
  // hundreds of milliseconds for one); the timeout test holds Zoom ten times that.
  stack = await startStack({ zoomTimeoutMs: 2_000 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.reset();
});

const url = (p: string): string => `${stack.app.url}${p}`;

async function clearAll(browser: Browser, dash: Page): Promise<Page> {
  return browser.postForm(url('/assistants/clear'), {
    ...formTo(dash, '/assistants/clear').fields,
    confirm: 'yes',
  });
}

function removeForm(dash: Page, email: string): { action: string; fields: Record<string, string> } {
  const re = new RegExp(
    `<form method="post" action="(/assistants/[^"]+/remove)">\\s*<input type="hidden" name="_csrf" value="[^"]*">\\s*<input type="hidden" name="email" value="${email.replace('.', '\\.')}">`,
  );
  const m = re.exec(dash.text);
  if (!m?.[1]) throw new Error(`no remove form for ${email}`);
  return { action: m[1], fields: { _csrf: csrfOf(dash), email } };
}

test('the dashboard shows name, email, the assistants and a count', async () => {
  const dash = await signIn(new Browser(), stack.app.url, 'ada');
  expect(dash.text).toContain('Ada Lovelace');
  expect(dash.text).toContain('ada@example.com');
  for (const e of ['grace.assistant@', 'alan.assistant@', 'katherine.assistant@']) {
    expect(dash.text).toContain(e);
  }
  expect(dash.text).toContain(VIEW.dashboard.canSchedule(3));
  expect(dash.text).toContain(`<title>${html(titleOf(VIEW.dashboard.heading))}`);
});

test('a user with no assistants sees the empty state', async () => {
  const dash = await signIn(new Browser(), stack.app.url, 'alan');
  expect(dash.text).toContain(html(VIEW.dashboard.empty));
  expect(dash.text).not.toContain(html(VIEW.dashboard.clearButton(2)));
});

test('clear all → DELETE /users/me/assistants → 303 with "Removed 3 assistants", then the empty state', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const res = await browser.postForm(
    url('/assistants/clear'),
    { ...formTo(dash, '/assistants/clear').fields, confirm: 'yes' },
    { follow: false },
  );
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/#assistants');
  const after = await browser.get(url('/'));
  expect(after.text).toContain(
    FLASH.removed([
      'grace.assistant@example.com',
      'alan.assistant@example.com',
      'katherine.assistant@example.com',
    ]),
  );
  expect(after.text).toContain(html(VIEW.dashboard.empty));
  expect((await stack.control.stats()).delete_assistants).toBe(1);
  const snap = await stack.control.get<{ assistants: unknown[] }>('/users/ada');
  expect(snap.assistants).toHaveLength(0);
  // The message is shown once.
  const again = await browser.get(url('/'));
  expect(again.text).not.toContain(
    FLASH.removed([
      'grace.assistant@example.com',
      'alan.assistant@example.com',
      'katherine.assistant@example.com',
    ]),
  );
});

test('remove one → DELETE /users/me/assistants/{id} → "Removed <email>", the others stay', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const form = removeForm(dash, 'grace.assistant@example.com');
  const after = await browser.postForm(url(form.action), form.fields);
  expect(after.status).toBe(200);
  expect(after.text).toContain('Removed grace.assistant@example.com.');
  expect(after.text).not.toContain('<span class="email">grace.assistant@example.com');
  expect(after.text).toContain(VIEW.dashboard.canSchedule(2));
  expect((await stack.control.stats()).delete_assistant).toBe(1);
});

test('clear all without the confirmation → nothing removed, and the page says why', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const after = await browser.postForm(url('/assistants/clear'), {
    ...formTo(dash, '/assistants/clear').fields,
  });
  expect(after.text).toContain(html(ACTION_WORDS['remove-all-assistants'].notConfirmed));
  expect(after.text).toContain(VIEW.dashboard.canSchedule(3));
  expect((await stack.control.stats()).delete_assistants).toBe(0);
});

test('an invalid assistant id → 400, no call to Zoom', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const res = await browser.postForm(url('/assistants/bad%20id%3B/remove'), {
    _csrf: csrfOf(dash),
  });
  expect(res.status).toBe(400);
  expect((await stack.control.stats()).delete_assistant).toBe(0);
});

test('a missing or forged CSRF token → 403 before any call to Zoom', async () => {
  const browser = new Browser();
  await signIn(browser, stack.app.url, 'ada');
  const none = await browser.postForm(url('/assistants/clear'), { count: '3' });
  const forged = await browser.postForm(url('/assistants/clear'), { _csrf: 'forged', count: '3' });
  expect(none.status).toBe(403);
  expect(forged.status).toBe(403);
  expect(forged.text).toContain(PAGES.formExpired.heading);
  const stats = await stack.control.stats();
  expect(stats.delete_assistants).toBe(0);
});

test('signed out, an action changes nothing', async () => {
  const res = await new Browser().postForm(url('/assistants/clear'), { _csrf: 'x' });
  expect(res.status).toBe(403);
  expect((await stack.control.stats()).delete_assistants).toBe(0);
});

describe('every answer Zoom can give has a clear outcome', () => {
  test('429 with Retry-After in seconds → "try again in N seconds"', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', { target: 'api', status: 429, retryAfter: '7' });
    const after = await clearAll(browser, dash);
    expect(after.text).toContain(FAILURE.rateLimited(7));
    expect(
      (await stack.control.get<{ assistants: unknown[] }>('/users/ada')).assistants,
    ).toHaveLength(3);
  });

  test('429 with a daily-limit date → the seconds until then', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const at = new Date(Date.now() + 120_000).toISOString();
    await stack.control.post('/faults', {
      target: 'api',
      status: 429,
      retryAfter: at,
      rateLimitType: 'Daily-limit',
    });
    const after = await clearAll(browser, dash);
    expect(after.text).toMatch(/daily limit of requests.*try again in 2 minutes\./);
  });

  test('429 with no Retry-After is the daily limit: come back after 00:00 UTC', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    // A Free account whose Medium-rated calls (the lists) are spent for today.
    await stack.control.post('/config', { dailyLimits: { Light: 6000, Medium: 2000 } });
    await stack.control.post('/daily-usage', { used: { Medium: 2000 } });
    const after = await clearAll(browser, dash);
    expect(after.text).toMatch(/daily limit of requests.*resets it at 00:00 UTC/);
    expect((await stack.control.stats()).delete_assistants).toBe(0);
  });

  test('429 while listing → the dashboard says so with status 429 and Retry-After', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', { target: 'api', status: 429, retryAfter: '1' });
    const page = await browser.get(url('/'));
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBe('1');
    expect(page.text).toContain(FAILURE.rateLimited(1));
  });

  test('5xx → "Zoom did not answer; try again"', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', { target: 'api', status: 503 });
    const after = await clearAll(browser, dash);
    expect(after.text).toContain(FAILURE.zoomDown);
  });

  test('a timeout → "Zoom did not answer; try again", and the app stays up', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', { target: 'api', delayMs: 20_000 });
    const started = Date.now();
    const after = await clearAll(browser, dash);
    expect(Date.now() - started).toBeLessThan(10_000); // the 2 s timeout, not Zoom's 20 s
    expect(after.text).toContain(FAILURE.zoomDown);
    expect((await browser.get(url('/healthz'))).status).toBe(200);
  });

  test('404 code 1001 names `me`, not an assistant: the grant ends, the user is told to reconnect', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', {
      target: 'api',
      status: 404,
      body: { code: 1001, message: 'User does not exist: me.' },
    });
    const after = await clearAll(browser, dash);
    expect(after.text).toContain(html(LANDING_NOTICES.reconnect));
    const ada = await stack.control.userId('ada');
    expect(await keysNamingUser(stack, ada, 'ada@example.com')).toEqual([]);
    expect((await stack.control.stats()).delete_assistants).toBe(0);
  });

  test('a list answered 404 code 1001 ends the grant too', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', {
      target: 'api',
      status: 404,
      body: { code: 1001, message: 'User does not exist: me.' },
    });
    const page = await browser.get(url('/'));
    expect(page.status).toBe(401);
    expect(page.text).toContain(html(PAGES.reconnect.heading));
    const ada = await stack.control.userId('ada');
    expect(await keysNamingUser(stack, ada, 'ada@example.com')).toEqual([]);
  });

  test('400 code 4711 (a scope missing) → "reinstall"', async () => {
    await stack.control.post('/config', {
      grantScopes: 'user:read:user user:read:list_assistants',
    });
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    // Told before the click, from the grant's scopes, with the way to grant them.
    expect(dash.text).toContain(html(VIEW.dashboard.needsPermission));
    const after = await clearAll(browser, dash);
    expect(after.text).toContain(FAILURE.missingScope);
    expect(
      (await stack.control.get<{ assistants: unknown[] }>('/users/ada')).assistants,
    ).toHaveLength(3);
  });

  test('204 needs no body: clear all succeeds with an empty answer', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    expect(dash.text).not.toContain(html(VIEW.dashboard.needsPermission));
    const after = await clearAll(browser, dash);
    // The message names everyone removed.
    expect(after.text).toContain(
      FLASH.removed([
        'grace.assistant@example.com',
        'alan.assistant@example.com',
        'katherine.assistant@example.com',
      ]),
    );
  });

  test('no stack trace ever reaches the page', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', {
      target: 'api',
      status: 500,
      body: { trace: 'at Foo (x.js:1:1)' },
    });
    const after = await clearAll(browser, dash);
    expect(after.text).not.toMatch(/\bat \S+ \(|node_modules|Error:/);
  });
});
