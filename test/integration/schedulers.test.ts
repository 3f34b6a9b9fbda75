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
    // Each answer is held 2.5 s: one after the other, the second would arrive that much later.
    await stack.control.post('/faults', { target: 'api', path: SCHEDULERS, delayMs: 2_500 });
    await stack.control.post('/faults', { target: 'api', path: ASSISTANTS, delayMs: 2_500 });
    const page = browser.get(url('/'));
    const arrived: Partial<Record<'assistants' | 'schedulers', number>> = {};
    while (arrived.assistants === undefined || arrived.schedulers === undefined) {
      const stats = await stack.control.stats();
      const now = performance.now();
      const more = (k: string): boolean => (stats[k] ?? 0) > (before[k] ?? 0);
      if (more('list_assistants')) arrived.assistants ??= now;
      if (more('list_schedulers')) arrived.schedulers ??= now;
    }
    // Seconds apart if in a row; a few polls apart at most when together, whatever the load.
    expect(Math.abs(arrived.assistants - arrived.schedulers)).toBeLessThan(2_000);
    expect((await page).text).toContain(VIEW.dashboard.canSchedule(3));
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
