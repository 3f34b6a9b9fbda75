import { FLASH, PAGE, PAGES, VIEW, titleOf } from '../../src/http/copy';
import { HISTORY_PAGE_SIZE } from '../../src/http/history';
import { Browser, html, signIn, type Page } from '../../harness/browser';
import { formNamed, formsOf, formTo } from '../../harness/forms';
import { startStack, type Stack } from '../../harness/stack';

/**
 * Words that never mislead (issue 21), over HTTP on a real Redis and the sandbox: where an
 * outcome is said, what the page title and the Undo buttons are called, the history's pages,
 * a full list of 30, the expired-form and goodbye pages.
 */

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

const url = (p: string): string => `${stack.app.url}${p}`;

/** The part of the page from one section's opening tag to the next section's. */
function section(page: Page, id: string): string {
  const start = page.text.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no section ${id}`);
  const end = page.text.indexOf('<section', start);
  return page.text.slice(start, end < 0 ? undefined : end);
}

function submit(browser: Browser, page: Page, button: string, extra = {}): Promise<Page> {
  const form = formNamed(page, button);
  return browser.postForm(url(form.action), { ...form.fields, ...extra });
}

/** Every Undo button's accessible name on the page. */
function undoNames(page: Page): string[] {
  return formsOf(page)
    .filter((f) => f.action.endsWith('/undo'))
    .map((f) => f.button);
}

test('a removal: its message in the assistants section, in the title, and no two Undos share a name', async () => {
  const browser = new Browser();
  let page = await signIn(browser, stack.app.url, 'ada');
  page = await submit(browser, page, VIEW.dashboard.removeLabel('grace.assistant@example.com'));
  const said = FLASH.removed(['grace.assistant@example.com']);
  expect(page.trail.at(-1)).toBe(url('/#assistants'));
  expect(page.text).toContain(`<title>${html(titleOf(VIEW.dashboard.heading, said))}</title>`);
  expect(section(page, 'assistants')).toContain(html(said));
  expect(section(page, 'assistants')).toMatch(/role="status" aria-live="polite"/);
  expect(section(page, 'schedulers')).not.toContain(html(said));
  page = await submit(browser, page, VIEW.dashboard.removeLabel('alan.assistant@example.com'));

  // Two removals in the same minute, and the message's Undo of the second: three distinct names.
  const names = undoNames(page);
  expect(names).toHaveLength(3);
  expect(new Set(names).size).toBe(3);
  expect(names[0]).toBe(FLASH.undoLabel(['alan.assistant@example.com']));
  expect(names[1]).toMatch(
    /^Undo the removal of alan\.assistant@example\.com, today at \d\d:\d\d /,
  );
  expect(names[2]).toMatch(/^Undo the removal of grace\.assistant@example\.com, today at/);
});

test('a step-down’s outcome appears in the schedulers section, not at the top', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const ask = await browser.get(
    url(
      /href="(\/schedulers\/[^"]+\/step-down\?[^"]+)"/
        .exec(dash.text)?.[1]
        ?.replace(/&amp;/g, '&') ?? '',
    ),
  );
  const email = /email=([^&"]+)/.exec(ask.url)?.[1];
  const after = await submit(browser, ask, 'Step down');
  const said = FLASH.steppedDown(decodeURIComponent(email ?? ''));
  expect(after.trail.at(-1)).toBe(url('/#schedulers'));
  expect(section(after, 'schedulers')).toContain(html(said));
  expect(section(after, 'assistants')).not.toContain(html(said));
  expect(after.text).toContain(`<title>${html(titleOf(VIEW.dashboard.heading, said))}`);
});

test('the history shows the latest 10 and pages through older ones, without script', async () => {
  const browser = new Browser();
  let page = await signIn(browser, stack.app.url, 'ada');
  // Twelve removals: remove one, undo it from its message, again.
  for (let i = 0; i < 12; i++) {
    page = await submit(browser, page, VIEW.dashboard.removeLabel('grace.assistant@example.com'));
    page = await submit(browser, page, FLASH.undoLabel(['grace.assistant@example.com']));
  }
  const entries = (p: Page): number => (section(p, 'history').match(/<li>/g) ?? []).length;
  expect(entries(page)).toBe(HISTORY_PAGE_SIZE);
  expect(page.text).toContain(html(VIEW.history.showing(1, 10, 12)));
  const older = new RegExp(`href="([^"]+)">${VIEW.history.older}<`).exec(page.text)?.[1] ?? '';
  expect(older).toBe('/?history=2#history');
  const second = await browser.get(url(older));
  expect(entries(second)).toBe(2);
  expect(second.text).toContain(html(VIEW.history.showing(11, 12, 12)));
  expect(second.text).toContain(`href="/#history">${VIEW.history.newer}<`);
  expect(second.text).not.toContain(`${VIEW.history.older}<`);
  // A page past the end, or nonsense: the nearest real page, never an error.
  expect(entries(await browser.get(url('/?history=99')))).toBe(2);
  expect(entries(await browser.get(url('/?history=-1')))).toBe(HISTORY_PAGE_SIZE);
});

test('a list of exactly 30 says there may be more, and Remove all warns Undo cannot bring those back', async () => {
  const emails = Array.from({ length: 27 }, (_, i) => `extra${i}.assistant@example.com`);
  await stack.control.post('/users/ada/assistants', { emails });
  const page = await signIn(new Browser(), stack.app.url, 'ada');
  const assistants = section(page, 'assistants');
  expect(assistants).toContain(html(VIEW.dashboard.more(30)));
  expect(assistants).toContain(html(VIEW.dashboard.clearHintMore));

  // One fewer: no such words.
  await stack.control.delete('/users/ada/assistants/extra0.assistant@example.com');
  const fewer = await signIn(new Browser(), stack.app.url, 'ada');
  expect(fewer.text).not.toContain(html(VIEW.dashboard.more(29)));
  expect(fewer.text).not.toContain(html(VIEW.dashboard.clearHintMore));
});

test('a refused form lands on a page of its own by a redirect; signed out, it offers Sign in again', async () => {
  const browser = new Browser();
  await signIn(browser, stack.app.url, 'ada');
  const first = await browser.postForm(
    url('/assistants/clear'),
    { _csrf: 'forged' },
    { follow: false },
  );
  expect(first.status).toBe(303);
  expect(first.headers.get('location')).toBe('/form-expired');
  const page = await browser.get(url('/form-expired'));
  expect(page.text).toContain(html(PAGES.formExpired.heading));

  const stranger = new Browser();
  const out = await stranger.postForm(url('/assistants/clear'), { _csrf: 'x' });
  expect(out.trail).toEqual([url('/assistants/clear'), url('/form-expired')]);
  expect(out.text).toContain(html(PAGES.formExpiredSignedOut.heading));
  expect(out.text).toContain('href="/install">Sign in again</a>');
  expect((await stack.control.stats()).delete_assistants).toBe(0);
});

test('the goodbye page reads its Undo count as a number only', async () => {
  const bye = (q: string): Promise<Page> => new Browser().get(url(`/goodbye?${q}`));
  expect((await bye('revoked=1&undos=2')).text).toContain(
    html(PAGE.disconnected(true, 2).paragraphs[1] ?? ''),
  );
  expect((await bye('revoked=1&undos=5000')).text).toContain(
    html(PAGE.disconnected(true, 999).paragraphs[1] ?? ''),
  );
  for (const q of ['revoked=1&undos=%3Cb%3E', 'revoked=1&undos=-3', 'revoked=1']) {
    expect((await bye(q)).text).toContain(html(PAGE.disconnected(true, 0).paragraphs[1] ?? ''));
  }
  // A disconnect with nothing to undo says the history went, with no count.
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'alan');
  expect(dash.text).toContain(html(VIEW.dashboard.disconnectHistory(0)));
  const page = await browser.postForm(url('/disconnect'), {
    ...formTo(dash, '/disconnect').fields,
    confirm: 'yes',
  });
  expect(page.url).toBe(url('/goodbye?revoked=1&undos=0'));
  expect(page.text).toContain(html(PAGE.disconnected(true, 0).paragraphs[1] ?? ''));
});
