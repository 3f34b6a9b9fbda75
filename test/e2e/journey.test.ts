import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { DEMO_OPERATOR } from '../../harness/app-env';
import { ACTION_WORDS, FLASH, PAGE, PAGES, VIEW, titleOf } from '../../src/http/copy';
import {
  accessibilityProblems,
  newWatchedPage,
  screenshot,
  startE2eStack,
  VIEWPORTS,
  type E2eStack,
  type Watched,
} from './support';

// Chromium on a busy 2-core machine: a step may take longer than the default 30 s.
jest.setTimeout(60_000);

let stack: E2eStack;
beforeAll(async () => {
  stack = await startE2eStack();
});
afterAll(async () => {
  await stack?.close();
});

type Viewport = keyof typeof VIEWPORTS;

/** At each page state: no console error or CSP violation so far, no serious a11y issue. */
async function checkState(w: Watched, viewport: Viewport, name: string): Promise<void> {
  expect(w.problems).toEqual([]);
  expect(await accessibilityProblems(w.page)).toEqual([]);
  await expect(w.page.title()).resolves.toMatch(/\S/);
  await screenshot(w.page, `${name}-${viewport}`);
}

/**
 * Reload after an action: the page that answered the POST was a redirect to a GET page, so
 * nothing is posted again and no error appears that the user did not cause.
 */
async function reloadIsCalm(w: Watched): Promise<void> {
  const response = await w.page.reload();
  expect(response?.status()).toBe(200);
  await expect(w.page.locator('.tone-error, .tone-warning, .flash-error').count()).resolves.toBe(0);
}

async function consent(page: Page, user: string, decision: 'Allow' | 'Deny'): Promise<void> {
  await page.getByRole('radio', { name: new RegExp(user, 'i') }).check();
  await page.getByRole('button', { name: decision }).click();
}

const live = (page: Page) => page.locator('[aria-live]');
const inSection = (page: Page, id: string) => page.locator(`#${id}`);
const assistants = (page: Page) => page.locator('#assistants ul.people > li');
const history = (page: Page) => page.locator('ol.removals > li');
const schedulers = (page: Page) => page.locator('#schedulers ul.people > li');

const GRACE = 'grace.assistant@example.com';
const ALAN = 'alan.assistant@example.com';
const KATHERINE = 'katherine.assistant@example.com';
const MARGARET = 'margaret.assistant@example.com';
const MARY = 'mary.host@example.com';

/** The page title carries the outcome: what a screen reader reads first on the new page. */
async function titleSays(page: Page, outcome: string): Promise<void> {
  await expect(page.title()).resolves.toBe(titleOf(VIEW.dashboard.heading, outcome));
}

describe.each(Object.keys(VIEWPORTS) as Viewport[])('the journey at %s width', (viewport) => {
  let w: Watched;
  beforeAll(async () => {
    await stack.control.post('/reset');
    const context = await stack.browser.newContext({ viewport: VIEWPORTS[viewport] });
    w = await newWatchedPage(context);
  });
  afterAll(async () => {
    await w.page.context().close();
  });

  test('first install: landing → consent → the dashboard', async () => {
    const { page } = w;
    await page.goto(`${stack.appUrl}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      'Take back your scheduling privilege',
    );
    await checkState(w, viewport, 'landing');

    await page.getByRole('link', { name: 'Add to Zoom' }).click();
    await page.waitForURL(`${stack.sandbox.url}/oauth/authorize**`);
    await screenshot(page, `zoom-consent-${viewport}`);
    w.problems.length = 0; // the sandbox's page is not ours to judge
    await consent(page, 'ada', 'Allow');
    await page.waitForURL(`${stack.appUrl}/`);
    await expect(page.title()).resolves.toBe(titleOf(VIEW.dashboard.heading));
    await expect(assistants(page).count()).resolves.toBe(3);
    await page.getByText('3 people can schedule meetings for you').waitFor();
    await page.getByText(VIEW.history.empty).waitFor();
    await checkState(w, viewport, 'dashboard');
  });

  test('remove one, then undo it from the message', async () => {
    const { page } = w;
    await page.getByRole('button', { name: `Remove ${GRACE}` }).click();
    const removed = FLASH.removed([GRACE]);
    await inSection(page, 'assistants').locator('[aria-live]').getByText(removed).waitFor();
    await titleSays(page, removed);
    await expect(assistants(page).count()).resolves.toBe(2);
    // The message's Undo and the history's Undo of the same removal: two names.
    await live(page)
      .getByRole('button', { name: FLASH.undoLabel([GRACE]), exact: true })
      .waitFor();
    await history(page)
      .getByRole('button', { name: new RegExp(`^Undo the removal of ${GRACE}, today at`) })
      .waitFor();
    await checkState(w, viewport, 'removed-one');
    await live(page)
      .getByRole('button', { name: FLASH.undoLabel([GRACE]), exact: true })
      .click();
    await live(page)
      .getByText(FLASH.putBack([GRACE]))
      .waitFor();
    await titleSays(page, FLASH.putBack([GRACE]));
    await expect(assistants(page).count()).resolves.toBe(3);
    await expect(history(page).count()).resolves.toBe(1);
    // The time names its zone (Ada's Zoom profile says Europe/London).
    await history(page)
      .getByText(/^Undone today at \d\d:\d\d London time$/)
      .waitFor();
    await checkState(w, viewport, 'undone-one');
    await reloadIsCalm(w);
  });

  test('a double-clicked Remove removes once and says so once, with its Undo', async () => {
    const { page } = w;
    const before = (await stack.control.stats()).delete_assistant ?? 0;
    // Zoom holds Ada's calls until the second click has posted (no clock: the sandbox's
    // per-user latency holds them until it is lowered), so it lands while the first is done.
    await stack.control.post('/config', { userLatencyMs: { ada: 120_000 } });
    const posts: string[] = [];
    const onRequest = (r: { method(): string; url(): string }): void => {
      if (r.method() === 'POST' && r.url().includes('/remove')) posts.push(r.url());
    };
    page.on('request', onRequest);
    // Chromium itself drops a second submit that follows at once (a dblclick posts once), so
    // the second click comes once the first POST is on its way: both reach the app.
    // Raw mouse clicks: a locator's click would wait for the first one's page to load.
    const box = await page.getByRole('button', { name: `Remove ${KATHERINE}` }).boundingBox();
    if (!box) throw new Error('no Remove button on screen');
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    const first = page.waitForRequest((r) => r.method() === 'POST');
    await page.mouse.click(x, y);
    await first;
    try {
      await page.mouse.click(x, y);
      const deadline = Date.now() + 30_000;
      while (posts.length < 2 && Date.now() < deadline) await page.waitForTimeout(20);
    } finally {
      await stack.control.post('/config', { userLatencyMs: {} });
    }
    await live(page)
      .getByText(FLASH.removed([KATHERINE]))
      .waitFor();
    page.off('request', onRequest);
    // Both clicks reached the app: the second is answered with the first one's outcome.
    expect(posts).toHaveLength(2);
    expect((await stack.control.stats()).delete_assistant).toBe(before + 1);
    await expect(page.locator('.flash').count()).resolves.toBe(1);
    await expect(page.getByText(/nothing to remove/).count()).resolves.toBe(0);
    await live(page)
      .getByRole('button', { name: FLASH.undoLabel([KATHERINE]), exact: true })
      .waitFor();
    await expect(history(page).count()).resolves.toBe(2);
    await checkState(w, viewport, 'double-click');
    await live(page)
      .getByRole('button', { name: FLASH.undoLabel([KATHERINE]), exact: true })
      .click();
    await live(page)
      .getByText(FLASH.putBack([KATHERINE]))
      .waitFor();
    await expect(assistants(page).count()).resolves.toBe(3);
  });

  test('add an assistant with an end; give another an end and cancel it; a removed one loses theirs', async () => {
    const { page } = w;
    const EDSGER = 'edsger@example.com';
    const later = { date: '2099-12-11', time: '18:00' };
    const until = VIEW.ends.until('Fri 11 Dec 2099, 18:00 (London time)');
    // The form names the zone its date and time are read in.
    const add = page.locator('form.add');
    await add.getByRole('group', { name: VIEW.ends.endLegend('London time') }).waitFor();
    await add.getByLabel(VIEW.ends.email).fill(EDSGER);
    await add.getByLabel(VIEW.ends.privateEvents).check();
    await add.getByLabel(VIEW.ends.date).fill(later.date);
    await add.getByLabel(VIEW.ends.time).fill(later.time);
    await checkState(w, viewport, 'add-assistant-form');
    await add.getByRole('button', { name: VIEW.ends.addButton }).click();
    const added = FLASH.added(EDSGER, until);
    await live(page).getByText(added).waitFor();
    await titleSays(page, added);
    await expect(assistants(page).count()).resolves.toBe(4);
    const edsgerRow = assistants(page).filter({ hasText: EDSGER });
    await edsgerRow.getByText(until).waitFor();
    await page.getByRole('heading', { name: VIEW.ends.upcomingHeading }).waitFor();
    await checkState(w, viewport, 'added-with-end');

    // Another's end: set from their row, then cancelled.
    const alanRow = assistants(page).filter({ hasText: ALAN });
    await alanRow.getByText(VIEW.ends.setEnd).click();
    await alanRow.getByLabel(VIEW.ends.date).fill('2099-12-12');
    await alanRow.getByLabel(VIEW.ends.time).fill('09:30');
    await alanRow.getByRole('button', { name: VIEW.ends.saveLabel(ALAN) }).click();
    const alanUntil = VIEW.ends.until('Sat 12 Dec 2099, 09:30 (London time)');
    await live(page).getByText(FLASH.endSet(ALAN, alanUntil)).waitFor();
    await assistants(page).filter({ hasText: ALAN }).getByText(alanUntil).waitFor();
    await checkState(w, viewport, 'end-set');
    await assistants(page)
      .filter({ hasText: ALAN })
      .getByRole('button', { name: VIEW.ends.cancelLabel(ALAN) })
      .click();
    await live(page).getByText(FLASH.endCancelled(ALAN)).waitFor();
    await expect(
      assistants(page).filter({ hasText: ALAN }).getByText(alanUntil).count(),
    ).resolves.toBe(0);
    await checkState(w, viewport, 'end-cancelled');
    await reloadIsCalm(w);

    // Removed before the end: the end goes with them; three assistants again for what follows.
    await page.getByRole('button', { name: `Remove ${EDSGER}` }).click();
    await live(page)
      .getByText(FLASH.removed([EDSGER]))
      .waitFor();
    await expect(assistants(page).count()).resolves.toBe(3);
    await expect(
      page.getByRole('heading', { name: VIEW.ends.upcomingHeading }).count(),
    ).resolves.toBe(0);
  });

  test('a stale Remove all removes nobody, says what changed and shows the list; confirmed again, it removes those shown', async () => {
    const { page } = w;
    await page.getByRole('button', { name: 'Remove all assistants' }).click();
    // The unticked box stops the form in the browser, with no script: nothing was sent.
    await expect(assistants(page).count()).resolves.toBe(3);
    expect((await stack.control.stats()).delete_assistants).toBe(0);
    await page.getByRole('checkbox', { name: /Yes, remove all 3 assistants/ }).check();
    await screenshot(page, `clear-all-confirm-${viewport}`);
    // Meanwhile, in Zoom: Grace goes, Margaret comes.
    await stack.control.delete(`/users/ada/assistants/${GRACE}`);
    await stack.control.post('/users/ada/assistants', { emails: [MARGARET] });
    await page.getByRole('button', { name: 'Remove all assistants' }).click();
    const changed = ACTION_WORDS['remove-all-assistants'].listChanged([MARGARET], 1);
    await live(page).getByText(changed).waitFor();
    await titleSays(page, changed);
    expect((await stack.control.stats()).delete_assistants).toBe(0);
    await assistants(page).getByText(MARGARET).waitFor();
    await expect(assistants(page).getByText(GRACE).count()).resolves.toBe(0);
    await checkState(w, viewport, 'list-changed');

    await page.getByRole('checkbox', { name: /Yes, remove all 3 assistants/ }).check();
    await page.getByRole('button', { name: 'Remove all assistants' }).click();
    await page.getByText('You have no assistants').waitFor();
    const removed = (await live(page).locator('.flash-success p').first().textContent()) ?? '';
    for (const email of [ALAN, KATHERINE, MARGARET]) expect(removed).toContain(email);
    await checkState(w, viewport, 'empty');
    await reloadIsCalm(w);

    // The history: the clear on top, with its own Undo naming whom it puts back.
    await history(page)
      .first()
      .getByRole('button', { name: /^Undo the removal of .*margaret/ })
      .click();
    await live(page)
      .getByText(/^Put back .*margaret\.assistant@example\.com/)
      .waitFor();
    await expect(assistants(page).count()).resolves.toBe(3);
    await checkState(w, viewport, 'history-undone');
    await reloadIsCalm(w);

    // Empty again, for the steps that follow: one removal left to undo.
    await page.getByRole('checkbox', { name: /Yes, remove all 3 assistants/ }).check();
    await page.getByRole('button', { name: 'Remove all assistants' }).click();
    await page.getByText('You have no assistants').waitFor();
  });

  test('step down from one person after a confirmation page, then from all', async () => {
    const { page } = w;
    await expect(schedulers(page).count()).resolves.toBe(2);
    await page.getByText('You can schedule meetings for 2 people.').waitFor();
    // "Step down from all" names the two people, never "this person".
    await page
      .getByRole('checkbox', {
        name: /^Yes, I no longer want to schedule for either \S+@example\.com or \S+@example\.com$/,
      })
      .waitFor();
    await page
      .getByRole('link', { name: 'Step down as assistant of charles.host@example.com' })
      .click();
    const ask = ACTION_WORDS['step-down'].confirmPage('charles.host@example.com');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(ask.heading);
    await checkState(w, viewport, 'step-down-confirm');
    await page.getByRole('button', { name: ask.button }).click();
    await page.waitForURL(`${stack.appUrl}/#schedulers`);
    const said = FLASH.steppedDown('charles.host@example.com');
    await inSection(page, 'schedulers').locator('[aria-live]').getByText(said).waitFor();
    await expect(inSection(page, 'assistants').getByText(said).count()).resolves.toBe(0);
    await titleSays(page, said);
    await expect(schedulers(page).count()).resolves.toBe(1);
    await checkState(w, viewport, 'stepped-down');
    await reloadIsCalm(w);

    // Someone else makes Ada their assistant: two again, then step down from all.
    await stack.control.post('/users/ada/schedulers', { emails: ['howard.host@example.com'] });
    await page.reload();
    await page
      .getByRole('checkbox', { name: /^Yes, I no longer want to schedule for either .*howard/ })
      .check();
    await page.getByRole('button', { name: 'Step down from all' }).click();
    await page.getByText('Nobody has made you their assistant.').waitFor();
    await inSection(page, 'schedulers').locator('.flash-success').waitFor();
    await checkState(w, viewport, 'schedulers-empty');
    await reloadIsCalm(w);
  });

  test('a change made outside the app is in the History, and the whole History downloads as CSV', async () => {
    const { page } = w;
    // As Zoom's settings page would: Mary makes Ada her assistant again, elsewhere.
    await stack.control.post('/users/ada/schedulers', { emails: [MARY] });
    await page.reload();
    const entry = history(page)
      .filter({ hasText: VIEW.history.change.schedulerAdded })
      .filter({ hasText: MARY });
    await expect(entry.count()).resolves.toBe(1);
    await entry.getByText(/^Between .+ and today \d\d:\d\d \(London time\)$/).waitFor();
    await schedulers(page)
      .filter({ hasText: MARY })
      .getByText(/^since \d{1,2} \w{3}$/)
      .waitFor();
    await checkState(w, viewport, 'history-outside-change');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: VIEW.history.export }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(VIEW.historyCsv.filename);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(VIEW.historyCsv.header.join(','));
    expect(csv).toContain(`,scheduler,added,${MARY},elsewhere,\r\n`);
    expect(csv).toContain(',scheduler,stepped down,charles.host@example.com,this app,');
  });

  test('sign out, then sign in again with no consent the second time', async () => {
    const { page } = w;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out of this app.', { exact: false }).waitFor();
    await checkState(w, viewport, 'signed-out');
    await reloadIsCalm(w);
    // Back, twice: pages of the app, none of them an error the user did not cause.
    for (let i = 0; i < 2; i++) {
      const back = await page.goBack();
      expect(back === null || back.status() < 400).toBe(true);
      await expect(page.locator('.tone-error, .flash-error').count()).resolves.toBe(0);
    }
    await page.goto(`${stack.appUrl}/`);
    await expect(page.getByRole('link', { name: 'Add to Zoom' }).isVisible()).resolves.toBe(true);
    const consentsBefore = (await stack.control.stats()).consent_allow;
    await page.getByRole('link', { name: 'Add to Zoom' }).click();
    await page.waitForURL(`${stack.appUrl}/`);
    await page.getByText('You have no assistants').waitFor();
    expect((await stack.control.stats()).consent_allow).toBe(consentsBefore);
  });

  test('disconnect says first that it deletes the history and its Undos, and after that it did', async () => {
    const { page } = w;
    const undos = await history(page).getByRole('button').count();
    expect(undos).toBeGreaterThanOrEqual(1);
    await page.getByText(VIEW.dashboard.disconnectHistory(undos)).waitFor();
    await page.locator('.danger-zone').scrollIntoViewIfNeeded();
    await checkState(w, viewport, 'disconnect-warning');
    await page.getByRole('checkbox', { name: 'Yes, disconnect the app' }).check();
    await page.getByRole('button', { name: 'Disconnect this app from Zoom' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      'The app is disconnected',
    );
    await page.getByText(PAGE.disconnected(true, undos).paragraphs[1] ?? '').waitFor();
    await checkState(w, viewport, 'disconnected');
    await reloadIsCalm(w);
    await page.getByText(PAGE.disconnected(true, undos).paragraphs[1] ?? '').waitFor();
  });

  test('denied consent', async () => {
    const { page } = w;
    await page.goto(`${stack.appUrl}/`);
    await page.getByRole('link', { name: 'Add to Zoom' }).click();
    w.problems.length = 0;
    await consent(page, 'ada', 'Deny');
    await page.waitForURL(`${stack.appUrl}/oauth/callback**`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      'You cancelled',
    );
    // The 403 of the page itself is logged by Chromium as a failed resource; it is ours.
    w.problems.splice(0, w.problems.length, ...w.problems.filter((p) => !/status of 403/.test(p)));
    await checkState(w, viewport, 'cancelled');
  });

  test('removed from the Zoom side: the next page load is signed out', async () => {
    const { page } = w;
    // The cancelled page offers Add to Zoom itself.
    await page.getByRole('link', { name: 'Add to Zoom' }).click();
    w.problems.length = 0;
    await consent(page, 'grace', 'Allow');
    await page.waitForURL(`${stack.appUrl}/`);
    await page.getByText('Grace Hopper').waitFor();
    // One assistant: their own button is the whole story, no "Remove everyone at once".
    await expect(assistants(page).count()).resolves.toBe(1);
    await expect(page.getByText(VIEW.dashboard.clearHeading).count()).resolves.toBe(0);
    await stack.control.post('/remove-app', { user: 'grace' });
    await page.reload();
    await expect(page.getByRole('link', { name: 'Add to Zoom' }).isVisible()).resolves.toBe(true);
  });

  test('Zoom’s rate limit and Zoom down have clear messages', async () => {
    const { page } = w;
    // Zoom's side removed the grant, so the consent page is back.
    await page.getByRole('link', { name: 'Add to Zoom' }).click();
    await page.waitForURL(`${stack.sandbox.url}/oauth/authorize**`);
    w.problems.length = 0;
    await consent(page, 'grace', 'Allow');
    await page.waitForURL(`${stack.appUrl}/`);
    await stack.control.post('/faults', { target: 'api', status: 429, retryAfter: '30' });
    await page.reload();
    await live(page).getByText('Zoom is limiting requests; try again in 30 seconds.').waitFor();
    ignoreOwnStatus(w, 429);
    await checkState(w, viewport, 'zoom-rate-limited');
    await stack.control.post('/faults', { target: 'api', status: 503 });
    await page.reload();
    await live(page).getByText('Zoom did not answer; try again.').waitFor();
    ignoreOwnStatus(w, 502);
    await checkState(w, viewport, 'zoom-down');
  });

  test('an expired sign-in link and an unknown address have their own pages', async () => {
    const { page } = w;
    // Signed in, the same link goes to the dashboard; signed out, it says it has expired.
    await page.goto(`${stack.appUrl}/oauth/callback?code=old&state=old`);
    await page.waitForURL(`${stack.appUrl}/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${stack.appUrl}/?notice=signed-out`);
    await page.goto(`${stack.appUrl}/oauth/callback?code=old&state=old`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      'This sign-in link no longer works',
    );
    ignoreOwnStatus(w, 400);
    await checkState(w, viewport, 'expired-link');

    // A form posted without a valid token (here: signed out): a redirect to a page of its own.
    await page.goto(`${stack.appUrl}/`);
    const landed = page.waitForResponse((r) => r.url().endsWith('/form-expired'));
    // (A string: the test's own TypeScript has no DOM types.)
    await page.evaluate(`(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/assistants/clear';
      form.innerHTML = '<input type="hidden" name="_csrf" value="stale">';
      document.body.append(form);
      form.submit();
    })()`);
    expect((await landed).request().method()).toBe('GET');
    await page.getByRole('heading', { name: PAGES.formExpiredSignedOut.heading }).waitFor();
    ignoreOwnStatus(w, 403);
    await checkState(w, viewport, 'form-expired');
    const again = await page.reload();
    expect(again?.request().method()).toBe('GET');
    await expect(
      page.getByRole('link', { name: 'Sign in again' }).getAttribute('href'),
    ).resolves.toBe('/install');
    ignoreOwnStatus(w, 403);
    await page.goto(`${stack.appUrl}/no/such/page`);
    ignoreOwnStatus(w, 404);
    await checkState(w, viewport, 'not-found');
  });

  test('the pages a Marketplace listing links to, each reached from the footer', async () => {
    const { page } = w;
    await page.goto(`${stack.appUrl}/`);
    for (const [link, path, heading] of [
      ['Help', 'help', 'Help'],
      ['Privacy', 'privacy', 'Privacy policy'],
      ['Terms of use', 'terms', 'Terms of use'],
      ['Support', 'support', 'Support'],
    ] as const) {
      await page
        .getByRole('navigation', { name: 'About this app' })
        .getByRole('link', { name: link, exact: true })
        .click();
      await page.waitForURL(`${stack.appUrl}/${path}`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(heading);
      await page.getByRole('link', { name: DEMO_OPERATOR.SUPPORT_EMAIL }).first().waitFor();
      // Long words (scopes, key names) wrap: nothing sticks out of the page's card.
      await expect(
        page.evaluate(
          "(c => c.scrollWidth <= c.clientWidth)(document.querySelector('main .card'))",
        ),
      ).resolves.toBe(true);
      await checkState(w, viewport, path);
    }
  });
});

test('at 320 px the header and a long email hold: nothing wider than the screen', async () => {
  await stack.control.post('/reset');
  const long = 'a.very.long.assistant.name.that.does.not.fit@subdivision.example.com';
  await stack.control.post('/users/ada/assistants', { emails: [long] });
  const context = await stack.browser.newContext({ viewport: { width: 320, height: 640 } });
  try {
    const w = await newWatchedPage(context);
    const { page } = w;
    await page.goto(`${stack.appUrl}/install`);
    await page.waitForURL(`${stack.sandbox.url}/oauth/authorize**`);
    w.problems.length = 0;
    await consent(page, 'ada', 'Allow');
    await page.waitForURL(`${stack.appUrl}/`);
    await page.getByRole('button', { name: `Remove ${long}` }).click();
    await live(page)
      .getByText(FLASH.removed([long]))
      .waitFor();
    const widest = await page.evaluate<number>(`Math.max(
      document.documentElement.scrollWidth,
      ...[...document.querySelectorAll('body *')].map((e) => e.getBoundingClientRect().right),
    )`);

    expect(widest).toBeLessThanOrEqual(320);
    await checkState(w, 'mobile', 'narrow-320');
  } finally {
    await context.close();
  }
});

test('the history shows the latest 10 and pages to older ones by a link', async () => {
  // Alan, whom no other step signs in: his history starts empty.
  await stack.control.post('/users/alan/assistants', { emails: [MARGARET] });
  const context = await stack.browser.newContext({ viewport: VIEWPORTS.desktop });
  try {
    const w = await newWatchedPage(context);
    const { page } = w;
    await page.goto(`${stack.appUrl}/install`);
    w.problems.length = 0;
    await consent(page, 'alan', 'Allow');
    await page.waitForURL(`${stack.appUrl}/`);
    for (let i = 0; i < 11; i++) {
      await page.getByRole('button', { name: `Remove ${MARGARET}` }).click();
      await live(page)
        .getByRole('button', { name: FLASH.undoLabel([MARGARET]), exact: true })
        .click();
      await live(page)
        .getByText(FLASH.putBack([MARGARET]))
        .waitFor();
    }
    await expect(history(page).count()).resolves.toBe(10);
    await page.getByText(VIEW.history.showing(1, 10, 11)).waitFor();
    await page.getByRole('link', { name: VIEW.history.older }).click();
    await page.waitForURL(`${stack.appUrl}/?history=2#history`);
    await expect(history(page).count()).resolves.toBe(1);
    await page.getByText(VIEW.history.showing(11, 11, 11)).waitFor();
    await checkState(w, 'desktop', 'history-page-2');
    await page.getByRole('link', { name: VIEW.history.newer }).click();
    await expect(history(page).count()).resolves.toBe(10);
  } finally {
    await context.close();
  }
});

test('a list of exactly 30 says there may be more, and Remove all warns Undo cannot bring those back', async () => {
  const emails = Array.from({ length: 29 }, (_, i) => `extra${i}.assistant@example.com`);
  await stack.control.post('/users/grace/assistants', { emails });
  const context = await stack.browser.newContext({ viewport: VIEWPORTS.mobile });
  try {
    const w = await newWatchedPage(context);
    const { page } = w;
    await page.goto(`${stack.appUrl}/install`);
    if (page.url().startsWith(stack.sandbox.url)) {
      w.problems.length = 0;
      await consent(page, 'grace', 'Allow');
    }
    await page.waitForURL(`${stack.appUrl}/`);
    await expect(assistants(page).count()).resolves.toBe(30);
    await page.getByText(VIEW.dashboard.more(30)).waitFor();
    await page.getByText(VIEW.dashboard.clearHintMore).waitFor();
    await checkState(w, 'mobile', 'full-list');
  } finally {
    await context.close();
  }
});

test('Redis down: a calm 503 page', async () => {
  stack.redis.process.kill('SIGSTOP');
  try {
    for (const viewport of Object.keys(VIEWPORTS) as Viewport[]) {
      const context = await stack.browser.newContext({ viewport: VIEWPORTS[viewport] });
      const w = await newWatchedPage(context);
      await w.page.goto(`${stack.appUrl}/install`);
      await expect(w.page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
        'Temporarily unavailable',
      );
      ignoreOwnStatus(w, 503);
      await checkState(w, viewport, 'redis-down');
      await context.close();
    }
  } finally {
    stack.redis.process.kill('SIGCONT');
  }
});

/** Chromium logs a page's own 4xx/5xx status as a console error; that one is expected. */
function ignoreOwnStatus(w: Watched, status: number): void {
  const own = new RegExp(`status of ${status}`);
  const rest = w.problems.filter((p) => !own.test(p));
  w.problems.splice(0, w.problems.length, ...rest);
}
