import { ACTION_WORDS, VIEW } from '../../src/http/copy';
import { Browser, decodeEntities, html, signIn, type Page } from '../../harness/browser';
import { formNamed, formsOf, submit } from '../../harness/forms';
import { keysNamingUser } from '../../harness/grant-records';
import { startStack, type Stack } from '../../harness/stack';
import { loadConfig } from '../../src/config';
import { RecordCipher } from '../../src/store/crypto';
import { RedisKeys } from '../../src/store/keys';
import { RedisLedger } from '../../src/store/ledger';
import { newRemoval } from '../../src/zoom/removals';

/**
 * The ledger (issue 24): changes made outside the app, in both directions, found by comparing
 * Zoom's lists with those last seen; recorded once however many views run at once; Undo for
 * an outside removal; the export. Real Redis, the sandbox over HTTP, two app instances.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ instances: 2, zoomTimeoutMs: 1500 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.reset();
});

const EDSGER = 'edsger@example.com';
const ALAN = 'alan.assistant@example.com';
const KATHERINE = 'katherine.assistant@example.com';
const HOWARD = 'howard.host@example.com';
const MARY = 'mary.host@example.com';
const CHARLES = 'charles.host@example.com';

const c = VIEW.history.change;

/** How often a headline is shown in the History section. */
function timesShown(page: Page, headline: string): number {
  return historyOf(page).split(`<strong>${html(headline)}</strong>`).length - 1;
}

function historyOf(page: Page): string {
  const start = page.text.indexOf('id="history"');
  return page.text.slice(start, page.text.indexOf('</section>', start));
}

/** Changes made as Zoom's settings page, an admin or another app would. */
async function changeOutside(): Promise<void> {
  await stack.control.post('/users/ada/assistants', { emails: [EDSGER] });
  await stack.control.delete(`/users/ada/assistants/${ALAN}`);
  await stack.control.post('/users/ada/schedulers', { emails: [HOWARD] });
  await stack.control.delete(`/users/ada/schedulers/${MARY}`);
}

interface Row {
  time: string;
  direction: string;
  change: string;
  email: string;
  where: string;
  undone: string;
}

async function exported(browser: Browser, app = stack.app): Promise<{ page: Page; rows: Row[] }> {
  const page = await browser.get(`${app.url}/history.csv`);
  const [header, ...lines] = page.text.trimEnd().split('\r\n');
  expect(header?.split(',')).toEqual(VIEW.historyCsv.header);
  const rows = lines.map((l) => {
    const [time = '', direction = '', change = '', email = '', where = '', undone = ''] =
      l.split(',');
    return { time, direction, change, email, where, undone };
  });
  return { page, rows };
}

test('changes made outside the app, in both directions, are recorded once with two instances viewing at once', async () => {
  const browser = new Browser();
  await signIn(browser, stack.app.url, 'ada');
  const other = stack.apps[1] ?? stack.app;
  browser.setCookie(other.url, 'zar.sid', browser.cookie(stack.app.url, 'zar.sid') ?? '');
  await changeOutside();
  // Zoom answers slowly, so the views overlap: each reads the lists before any writes them.
  await stack.control.post('/faults', { target: 'api', delayMs: 200, count: 16 });
  const views = await Promise.all(
    [0, 1, 2, 3].flatMap(() => [browser.get(`${stack.app.url}/`), browser.get(`${other.url}/`)]),
  );
  for (const v of views) expect(v.status).toBe(200);
  const page = await browser.get(`${stack.app.url}/`);
  expect(timesShown(page, c.assistantAddedOutside)).toBe(1);
  expect(timesShown(page, c.removedOutside)).toBe(1);
  expect(timesShown(page, c.schedulerAdded)).toBe(1);
  expect(timesShown(page, c.schedulerRemoved)).toBe(1);
  expect(historyOf(page).match(/<li>/g)).toHaveLength(4);
  for (const email of [EDSGER, ALAN, HOWARD, MARY]) expect(historyOf(page)).toContain(email);
  // When it happened: between the last look (the sign-in) and this one.
  expect(historyOf(page)).toMatch(/Between today \d\d:\d\d and today \d\d:\d\d \(London time\)/);

  const { page: csv, rows } = await exported(browser, other);
  expect(csv.status).toBe(200);
  expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(csv.headers.get('content-disposition')).toBe(
    `attachment; filename=${VIEW.historyCsv.filename}`,
  );
  const w = VIEW.historyCsv;
  expect(rows.map((r) => [r.direction, r.change, r.email, r.where]).sort()).toEqual(
    [
      [w.direction.assistant, w.change.added, EDSGER, w.where.elsewhere],
      [w.direction.assistant, w.change.removed, ALAN, w.where.elsewhere],
      [w.direction.scheduler, w.change.added, HOWARD, w.where.elsewhere],
      [w.direction.scheduler, w.change.removed, MARY, w.where.elsewhere],
    ].sort(),
  );
  for (const r of rows) expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(rows.find((r) => r.email === ALAN)?.undone).toBe('no');
});

test('someone removed outside the app is put back by Undo, with their setting as last seen', async () => {
  const browser = new Browser();
  await signIn(browser, stack.app.url, 'ada');
  await stack.control.post('/users/ada/assistants', {
    assistants: [{ email: EDSGER, can_manage_host_private_event: true }],
  });
  await browser.get(`${stack.app.url}/`);
  await stack.control.delete(`/users/ada/assistants/${EDSGER}`);
  await stack.control.delete(`/users/ada/assistants/${KATHERINE}`);
  const page = await browser.get(`${stack.app.url}/`);
  expect(timesShown(page, c.removedOutside)).toBe(2);
  const undos = formsOf(page).filter((f) => f.button.startsWith(VIEW.history.undo));
  expect(undos).toHaveLength(2);

  const edsgers = undos.find((f) => f.button.includes(EDSGER));
  await submit(browser, page, edsgers?.button ?? 'no Undo for edsger');
  const snap = await stack.control.get<{
    assistants: { email: string; can_manage_host_private_event: boolean }[];
  }>('/users/ada');
  expect(snap.assistants.find((a) => a.email === EDSGER)?.can_manage_host_private_event).toBe(true);
  expect(snap.assistants.some((a) => a.email === KATHERINE)).toBe(false);
  // Put back here: not recorded again as an addition made outside (once was when it was).
  const after = await browser.get(`${stack.app.url}/`);
  expect(timesShown(after, c.assistantAddedOutside)).toBe(1);
  expect(historyOf(after)).toContain(html(VIEW.history.undone('today')));
  const { rows } = await exported(browser);
  const removal = (email: string): Row | undefined =>
    rows.find((r) => r.email === email && r.change === VIEW.historyCsv.change.removed);
  expect(removal(EDSGER)?.undone).toBe('yes');
  expect(removal(KATHERINE)?.undone).toBe('no');
});

test('changes made here are never recorded as made outside', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const removed = await submit(browser, dash, VIEW.dashboard.removeLabel(ALAN));
  const undos = formsOf(removed).filter((f) => f.button.startsWith(VIEW.history.undo));
  const back = await submit(browser, removed, undos[0]?.button ?? 'no Undo');
  // Step down: the row's link asks first, its page confirms.
  const label = html(VIEW.schedulers.stepDownLabel(CHARLES));
  const link = new RegExp(`href="([^"]+)" aria-label="${label}"`).exec(back.text)?.[1] ?? '';
  const asked = await browser.get(`${stack.app.url}${decodeEntities(link)}`);
  const form = formNamed(asked, ACTION_WORDS['step-down'].confirmPage(CHARLES).button);
  await browser.postForm(`${stack.app.url}${form.action}`, form.fields);
  const page = await browser.get(`${stack.app.url}/`);
  expect(historyOf(page)).not.toContain('outside this app');
  expect(timesShown(page, VIEW.history.removed(1))).toBe(1);
  expect(timesShown(page, c.steppedDown)).toBe(1);
  const { rows } = await exported(browser);
  const w = VIEW.historyCsv;
  expect(rows.every((r) => r.where === w.where.here)).toBe(true);
  expect(rows.find((r) => r.email === CHARLES)?.change).toBe(w.change.steppedDown);
});

test('a list Zoom could not give records nothing; the next view that has it does', async () => {
  const browser = new Browser();
  await signIn(browser, stack.app.url, 'ada');
  await stack.control.delete(`/users/ada/assistants/${ALAN}`);
  await stack.control.post('/faults', {
    target: 'api',
    status: 503,
    count: 10,
    path: '/v2/users/me/assistants',
  });
  const failed = await browser.get(`${stack.app.url}/`);
  expect(failed.status).toBe(502);
  expect(timesShown(failed, c.removedOutside)).toBe(0);
  await stack.control.delete('/faults');
  const page = await browser.get(`${stack.app.url}/`);
  expect(timesShown(page, c.removedOutside)).toBe(1);
});

test('a full list of 30 never reports those beyond it as removed, nor those it brings in as added', async () => {
  const browser = new Browser();
  const more = Array.from({ length: 28 }, (_, i) => `extra${i}@example.com`);
  await stack.control.post('/users/ada/assistants', { emails: more });
  await signIn(browser, stack.app.url, 'ada');
  // One of those listed goes; the 31st moves into the 30 Zoom lists.
  await stack.control.delete(`/users/ada/assistants/${ALAN}`);
  const page = await browser.get(`${stack.app.url}/`);
  expect(historyOf(page)).toContain(html(VIEW.history.empty));
});

test('since when: "before" the first look for those already there, "since" for those new', async () => {
  const browser = new Browser();
  const first = await signIn(browser, stack.app.url, 'ada');
  expect(first.text).toMatch(
    new RegExp(`${html(ALAN)}</span>\\s*<span class="since">before \\d{1,2} [A-Z][a-z]{2}`),
  );
  await stack.control.post('/users/ada/assistants', { emails: [EDSGER] });
  const page = await browser.get(`${stack.app.url}/`);
  expect(page.text).toMatch(
    new RegExp(`${html(EDSGER)}</span>\\s*<span class="since">since \\d{1,2} [A-Z][a-z]{2}`),
  );
});

test('the ledger, and the lists as last seen, leave nothing behind after deauthorization', async () => {
  const browser = new Browser();
  await signIn(browser, stack.app.url, 'ada');
  await changeOutside();
  await browser.get(`${stack.app.url}/`);
  const userId = await stack.control.userId('ada');
  expect(await stack.admin.hlen(stack.keyNames.history(userId))).toBe(5);
  await stack.control.post('/remove-app', { user: 'ada' });
  expect(await keysNamingUser(stack, userId, 'ada@example.com')).toEqual([]);
  // Signed out: the export answers nothing.
  const csv = await browser.get(`${stack.app.url}/history.csv`);
  expect(csv.headers.get('content-type')).not.toMatch(/text\/csv/);
});

test('entries are kept HISTORY_DAYS (365 by default), never fewer than Undo’s 30', async () => {
  await signIn(new Browser(), stack.app.url, 'ada');
  const userId = await stack.control.userId('ada');
  const keys = new RedisKeys(stack.prefix);
  const cipher = new RecordCipher(loadConfig(stack.env).tokens.encryptionKeys);
  const day = 24 * 3600_000;
  const now = Date.now();
  const yearLedger = new RedisLedger(stack.admin, keys, cipher);
  const old = newRemoval(
    [{ id: 'o', email: 'old@example.com', canManagePrivateEvents: false }],
    now - 300 * day,
  );
  expect(await yearLedger.add(userId, old)).toBe(true);
  expect((await yearLedger.read(userId, now)).entries.map((e) => e.id)).toEqual([old.id]);
  expect(await stack.admin.pttl(keys.history(userId))).toBeGreaterThan(364 * day);
  // Past Undo's 30 days: kept and shown, no longer undoable.
  expect(await yearLedger.claim(userId, old.id, now)).toEqual({ kind: 'missing' });
  // A 90-day installation neither shows it nor keeps it past the next write.
  const shortLedger = new RedisLedger(stack.admin, keys, cipher, 90);
  expect((await shortLedger.read(userId, now)).entries).toEqual([]);
  await shortLedger.add(userId, newRemoval([], now));
  expect(await stack.admin.hexists(keys.history(userId), old.id)).toBe(0);
  expect(() => loadConfig({ ...stack.env, HISTORY_DAYS: '29' })).toThrow(/HISTORY_DAYS/);
});

test('a removal noticed from outside is not taken for one this page made', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  await stack.control.delete(`/users/ada/assistants/${ALAN}`);
  await browser.get(`${stack.app.url}/`); // another tab notices it
  const page = await submit(browser, dash, VIEW.dashboard.removeLabel(ALAN));
  expect(page.text).toContain(html(ACTION_WORDS['remove-assistant'].nothingThere(ALAN)));
  expect(timesShown(page, VIEW.history.removed(1))).toBe(0);
});

test('noticing changes costs no Zoom call: a view that records them still makes exactly two', async () => {
  const browser = new Browser();
  await signIn(browser, stack.app.url, 'ada');
  await changeOutside();
  const before = await stack.control.stats();
  const page = await browser.get(`${stack.app.url}/`);
  expect(historyOf(page).match(/<li>/g)).toHaveLength(4);
  const after = await stack.control.stats();
  const zoomCalls = (s: Record<string, number>): number =>
    ['users_me', 'list_assistants', 'list_schedulers', 'token_refresh'].reduce(
      (n, k) => n + (s[k] ?? 0),
      0,
    );
  expect(zoomCalls(after) - zoomCalls(before)).toBe(2);
  expect(after['list_assistants']).toBe((before['list_assistants'] ?? 0) + 1);
});

test('an assistant added here is recorded as added here, never as added outside', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const added = await submit(browser, dash, VIEW.ends.addButton, { fields: { email: EDSGER } });
  expect(historyOf(added)).toContain(EDSGER);
  const page = await browser.get(`${stack.app.url}/`);
  expect(timesShown(page, c.assistantAdded)).toBe(1);
  expect(historyOf(page)).not.toContain('outside this app');
  const { rows } = await exported(browser);
  expect(rows).toEqual([
    expect.objectContaining({ change: 'added', email: EDSGER, where: VIEW.historyCsv.where.here }),
  ]);
});
