import { ACTION_WORDS, FAILURE, FLASH, VIEW } from '../../src/http/copy';
import { Browser, csrfOf, decodeEntities, html, signIn, type Page } from '../../harness/browser';
import { formNamed, formTo } from '../../harness/forms';
import { startStack, type Stack } from '../../harness/stack';

/**
 * The other direction (issue 13): the people the user schedules for, and stepping down as
 * their assistant — one or all — through `me`. Real Redis, the sandbox over HTTP.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ zoomTimeoutMs: 3_000 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.reset();
});

const SCHEDULERS = '/v2/users/me/schedulers';
const ASSISTANTS = '/v2/users/me/assistants';
const url = (p: string): string => `${stack.app.url}${p}`;

async function schedulersAtZoom(user = 'ada'): Promise<string[]> {
  const snap = await stack.control.get<{ schedulers: { email: string }[] }>(`/users/${user}`);
  return snap.schedulers.map((s) => s.email).sort();
}

/** The part of the page between the schedulers heading and the history heading. */
function schedulersSection(page: Page): string {
  const from = page.text.indexOf('id="schedulers-heading"');
  const to = page.text.indexOf('id="history-heading"');
  return from < 0 ? '' : page.text.slice(from, to < 0 ? undefined : to);
}

/** Follows "Step down" for `email` to the page that asks first; `confirm` then answers it. */
async function askStepDown(browser: Browser, page: Page, email: string): Promise<Page> {
  const label = html(VIEW.schedulers.stepDownLabel(email));
  const m = new RegExp(`<a class="button small" href="([^"]+)" aria-label="${label}">`).exec(
    page.text,
  );
  if (!m?.[1]) throw new Error(`no step-down link for ${email}`);
  return browser.get(url(decodeEntities(m[1])));
}

async function stepDown(browser: Browser, page: Page, email: string): Promise<Page> {
  const asked = await askStepDown(browser, page, email);
  const form = formNamed(asked, ACTION_WORDS['step-down'].confirmPage(email).button);
  return browser.postForm(url(form.action), form.fields);
}

function stepDownAll(browser: Browser, page: Page, confirm = true): Promise<Page> {
  return browser.postForm(url('/schedulers/step-down'), {
    ...formTo(page, '/schedulers/step-down').fields,
    ...(confirm ? { confirm: 'yes' } : {}),
  });
}

test('the dashboard lists whom the user schedules for, with a way to step down from each and from all', async () => {
  const page = await signIn(new Browser(), stack.app.url, 'ada');
  const section = schedulersSection(page);
  expect(section).toContain(html(VIEW.schedulers.heading));
  expect(section).toContain(VIEW.schedulers.count(2));
  // In the page's order (Zoom's).
  const listed = (await schedulersAtZoom()).sort((a, b) => section.indexOf(a) - section.indexOf(b));
  for (const email of listed) {
    expect(section).toContain(`aria-label="${html(VIEW.schedulers.stepDownLabel(email))}"`);
  }
  // Two people: named, never "this person".
  expect(section).toContain(html(VIEW.schedulers.allConfirm(listed, false)));
  for (const email of listed) expect(VIEW.schedulers.allConfirm(listed, false)).toContain(email);
  expect(section).toContain(html(VIEW.schedulers.intro));
});

test('nobody has made alan their assistant: the empty state says so', async () => {
  const page = await signIn(new Browser(), stack.app.url, 'alan');
  expect(schedulersSection(page)).toContain(html(VIEW.schedulers.empty));
});

test('step down from one: gone at Zoom, the other stays, the page says only they can give it back', async () => {
  const browser = new Browser();
  const page = await signIn(browser, stack.app.url, 'ada');
  const [first, second] = await schedulersAtZoom();
  const after = await stepDown(browser, page, first ?? '');
  expect(after.status).toBe(200);
  expect(after.text).toContain(html(FLASH.steppedDown(first ?? '')));
  expect(await schedulersAtZoom()).toEqual([second]);
  expect(schedulersSection(after)).toContain(VIEW.schedulers.count(1));
  expect((await stack.control.stats()).delete_scheduler).toBe(1);
});

test('step down from all needs its confirmation, then leaves nobody', async () => {
  const browser = new Browser();
  const page = await signIn(browser, stack.app.url, 'ada');
  const refused = await stepDownAll(browser, page, false);
  expect(refused.text).toContain(html(ACTION_WORDS['step-down-all'].notConfirmed));
  expect(await schedulersAtZoom()).toHaveLength(2);
  const after = await stepDownAll(browser, refused);
  expect(after.text).toContain(html(FLASH.steppedDownAll(2)));
  expect(await schedulersAtZoom()).toEqual([]);
  expect(schedulersSection(after)).toContain(html(VIEW.schedulers.empty));
});

describe('every answer Zoom can give to a step-down', () => {
  test.each([
    ['429 with the wait', { status: 429, retryAfter: '9' }, FAILURE.rateLimited(9)],
    ['a 5xx', { status: 503 }, FAILURE.zoomDown],
    ['no answer in time', { delayMs: 6_000 }, FAILURE.zoomDown],
  ])('%s: a clear message and nothing changed', async (_label, fault, text) => {
    const browser = new Browser();
    const page = await signIn(browser, stack.app.url, 'ada');
    const [first] = await schedulersAtZoom();
    await stack.control.post('/faults', { target: 'api', method: 'DELETE', ...fault });
    const after = await stepDown(browser, page, first ?? '');
    expect(after.text).toContain(html(text));
    if (!('delayMs' in fault)) expect(await schedulersAtZoom()).toHaveLength(2);
  });
});

describe('the two lists fail independently', () => {
  test('Zoom fails the schedulers list: its section says so, the assistants still show', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', { target: 'api', path: SCHEDULERS, status: 502 });
    const page = await browser.get(url('/'));
    expect(page.status).toBe(200);
    expect(page.text).toContain(VIEW.dashboard.canSchedule(3));
    expect(schedulersSection(page)).toContain(FAILURE.zoomDown);
  });

  test('Zoom fails the assistants list: its message shows, the schedulers still show', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', {
      target: 'api',
      path: ASSISTANTS,
      status: 429,
      retryAfter: '4',
    });
    const page = await browser.get(url('/'));
    expect(page.status).toBe(429);
    expect(page.text).toContain(FAILURE.rateLimited(4));
    expect(schedulersSection(page)).toContain(VIEW.schedulers.count(2));
  });

  test('the two calls run at once: both reach Zoom before either answers', async () => {
    const browser = new Browser();
    await signIn(browser, stack.app.url, 'ada');
    const before = await stack.control.stats();
    // Zoom holds Ada's calls until both have arrived (no clock: the sandbox's per-user latency
    // holds them until it is lowered). One after the other, the second would only be sent
    // once the first had answered, which it cannot before the second arrives: the first would
    // time out (3 s) and its list be missing from the page.
    await stack.control.post('/config', { userLatencyMs: { ada: 120_000 } });
    const page = browser.get(url('/'));
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const stats = await stack.control.stats();
        const more = (k: string): boolean => (stats[k] ?? 0) > (before[k] ?? 0);
        if (more('list_assistants') && more('list_schedulers')) break;
        if (Date.now() > deadline) throw new Error('the two lists were not both asked for');
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await stack.control.post('/config', { userLatencyMs: {} });
    }
    const shown = await page;
    expect(shown.text).toContain(VIEW.dashboard.canSchedule(3));
    expect(schedulersSection(shown)).toContain(VIEW.schedulers.count(2));
  });
});

test('a grant made before the new scopes: a "grant access" link, the assistants keep working, no refresh spent', async () => {
  await stack.control.post('/config', {
    grantScopes:
      'user:read:user user:read:list_assistants user:delete:assistant user:write:assistant',
  });
  const browser = new Browser();
  const page = await signIn(browser, stack.app.url, 'ada');
  expect(page.status).toBe(200);
  expect(page.text).toContain(VIEW.dashboard.canSchedule(3));
  const section = schedulersSection(page);
  expect(section).toContain(html(VIEW.schedulers.needsScope));
  expect(section).toContain(`href="/install">${VIEW.schedulers.grantAccess}</a>`);
  // Stepping down with that grant: told to reconnect, nothing changed.
  const after = await browser.postForm(url('/schedulers/step-down'), {
    _csrf: csrfOf(page),
    confirm: 'yes',
  });
  expect(after.text).toContain(html(ACTION_WORDS['step-down'].needsPermission));
  expect(await schedulersAtZoom()).toHaveLength(2);
  expect((await stack.control.stats()).token_refresh).toBe(0);
});
