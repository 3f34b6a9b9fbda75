import type { Page } from 'playwright-core';
import { DEMO_OPERATOR } from '../../harness/app-env';
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
// Both lists are drawn by one partial (views/people.eta): told apart by their section.
const assistants = (page: Page) => page.locator('section:has(h1) ul.people > li');
const history = (page: Page) => page.locator('ol.removals > li');
const schedulers = (page: Page) => page.locator('section.schedulers ul.people > li');

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
    await expect(page.title()).resolves.toContain('Your assistants');
    await expect(assistants(page).count()).resolves.toBe(3);
    await page.getByText('3 people can schedule meetings for you').waitFor();
    await page.getByText('Nothing removed in the last 30 days.').waitFor();
    await checkState(w, viewport, 'dashboard');
  });

  test('remove one, then undo it from the message', async () => {
    const { page } = w;
    await page.getByRole('button', { name: 'Remove grace.assistant@example.com' }).click();
    await live(page).getByText('Removed grace.assistant@example.com.').waitFor();
    await expect(assistants(page).count()).resolves.toBe(2);
    await checkState(w, viewport, 'removed-one');
    await live(page).getByRole('button', { name: 'Undo' }).click();
    await live(page).getByText('Put back grace.assistant@example.com.').waitFor();
    await expect(assistants(page).count()).resolves.toBe(3);
    await expect(history(page).count()).resolves.toBe(1);
    await history(page)
      .getByText(/^Undone today at \d\d:\d\d$/)
      .waitFor();
    await checkState(w, viewport, 'undone-one');
    await reloadIsCalm(w);
  });

  test('clear all needs its confirmation, then leaves the empty state and a history to undo', async () => {
    const { page } = w;
    await page.getByRole('button', { name: 'Remove all assistants' }).click();
    // The unticked box stops the form in the browser, with no script: nothing was sent.
    await expect(assistants(page).count()).resolves.toBe(3);
    expect((await stack.control.stats()).delete_assistants).toBe(0);
    await page.getByRole('checkbox', { name: /Yes, remove all 3 assistants/ }).check();
    await screenshot(page, `clear-all-confirm-${viewport}`);
    await page.getByRole('button', { name: 'Remove all assistants' }).click();
    // The message names everyone removed.
    await live(page)
      .getByText(/^Removed [a-z.]+@example\.com, [a-z.]+@example\.com and [a-z.]+@example\.com\.$/)
      .waitFor();
    await page.getByText('You have no assistants').waitFor();
    await checkState(w, viewport, 'empty');
    await reloadIsCalm(w);

    // The history: the clear on top, with its own Undo; the earlier removal, undone.
    await expect(history(page).count()).resolves.toBe(2);
    await history(page).first().getByText('Removed 3 assistants').waitFor();
    await history(page)
      .first()
      .getByRole('button', { name: /Undo the removal made today at/ })
      .click();
    await live(page)
      .getByText(/^Put back .*grace\.assistant@example\.com/)
      .waitFor();
    await expect(assistants(page).count()).resolves.toBe(3);
    await checkState(w, viewport, 'history-undone');
    await reloadIsCalm(w);

    // Empty again, for the steps that follow.
    await page.getByRole('checkbox', { name: /Yes, remove all 3 assistants/ }).check();
    await page.getByRole('button', { name: 'Remove all assistants' }).click();
    await page.getByText('You have no assistants').waitFor();
  });

  test('step down as an assistant of one person, then of the other', async () => {
    const { page } = w;
    await expect(schedulers(page).count()).resolves.toBe(2);
    await page.getByText('You can schedule meetings for 2 people.').waitFor();
    // Stepping down for one person asks first, on a page of its own.
    await page
      .getByRole('link', { name: 'Step down as assistant of charles.host@example.com' })
      .click();
    await page.getByRole('button', { name: 'Step down', exact: true }).click();
    await live(page)
      .getByText('You are no longer an assistant of charles.host@example.com.', { exact: false })
      .waitFor();
    await expect(schedulers(page).count()).resolves.toBe(1);
    await checkState(w, viewport, 'stepped-down');
    await reloadIsCalm(w);
    // One person left: no "Step down from all", only that person's own.
    await expect(page.getByRole('button', { name: 'Step down from all' }).count()).resolves.toBe(0);
    await page
      .getByRole('link', { name: 'Step down as assistant of mary.host@example.com' })
      .click();
    await page.getByRole('button', { name: 'Step down', exact: true }).click();
    await page.getByText('Nobody has made you their assistant.').waitFor();
    await checkState(w, viewport, 'schedulers-empty');
    await reloadIsCalm(w);
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

  test('disconnect the app', async () => {
    const { page } = w;
    await page.getByRole('checkbox', { name: 'Yes, disconnect the app' }).check();
    await page.getByRole('button', { name: 'Disconnect this app from Zoom' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      'The app is disconnected',
    );
    await checkState(w, viewport, 'disconnected');
    await reloadIsCalm(w);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      'The app is disconnected',
    );
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
    await page.getByRole('link', { name: 'Back to the start' }).click();
    await page.getByRole('link', { name: 'Add to Zoom' }).click();
    w.problems.length = 0;
    await consent(page, 'grace', 'Allow');
    await page.waitForURL(`${stack.appUrl}/`);
    await page.getByText('Grace Hopper').waitFor();
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
