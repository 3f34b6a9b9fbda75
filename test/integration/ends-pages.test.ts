import { randomBytes } from 'node:crypto';
import { Browser, html, signIn } from '../../harness/browser';
import { formNamed, formTo, submit } from '../../harness/forms';
import { startStack, type Stack } from '../../harness/stack';
import { ACTION_WORDS, FLASH, INPUT_PROBLEMS, NOT_ADDED, VIEW } from '../../src/http/copy';
import { endWords } from '../../src/http/when';
import { deriveEncryptionKey, loadConfig } from '../../src/config';
import { RedisAssistantEnds } from '../../src/store/assistant-ends';
import { RecordCipher } from '../../src/store/crypto';
import { rotateAssistantEnds } from '../../src/store/key-rotation';
import { RedisKeys } from '../../src/store/keys';
import { unpaced } from '../../src/zoom/pace';
import { carryOutEnds } from '../../src/zoom/use-cases/carry-out-ends';

/**
 * Assistants with an end (issue 25) as the user meets them: the add form and each row's end
 * form over HTTP (CSRF like every form), the 400 pages for what was typed wrong, the dashboard's
 * upcoming ends, Disconnect's warning, the History's "ended as planned". Real Redis, the sandbox.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ zoomTimeoutMs: 1500 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.reset();
});

const EDSGER = 'edsger@example.com';
const GRACE = 'grace.assistant@example.com';
/** A date well ahead of any wall clock the tests run on. */
const LATER = { date: '2099-12-11', time: '18:00' };
const LATER_AT = Date.UTC(2099, 11, 11, 18); // London is on UTC in December
const until = (at: number): string => VIEW.ends.until(endWords(at, Date.now(), 'Europe/London'));

async function atZoom(): Promise<string[]> {
  const snap = await stack.control.get<{ assistants: { email: string }[] }>('/users/ada');
  return snap.assistants.map((a) => a.email).sort();
}

it('adds an assistant with an end from the dashboard; their row then says until when', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  // The zone is named on the form: the reader's device may be elsewhere.
  expect(dash.text).toContain(html(VIEW.ends.endLegend('London time')));
  const added = await submit(browser, dash, VIEW.ends.addButton, {
    fields: { email: EDSGER, private_events: 'yes', ...LATER },
  });
  expect(added.url).toMatch(/\/#assistants$/);
  expect(added.text).toContain(html(FLASH.added(EDSGER, until(LATER_AT))));
  expect(added.text).toContain(html(until(LATER_AT)));
  expect(added.text).toContain(html(VIEW.ends.upcomingHeading));
  expect(await atZoom()).toContain(EDSGER);
  // Disconnect says, before, which ends will then not happen.
  expect(added.text).toContain(html(VIEW.dashboard.disconnectEnds([EDSGER])));
});

it('sets and cancels another assistant’s end with the row’s forms', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const set = await submit(browser, dash, VIEW.ends.saveLabel(GRACE), { fields: LATER });
  expect(set.text).toContain(html(FLASH.endSet(GRACE, until(LATER_AT))));
  // The inputs show the end kept, in the user's zone.
  expect(formNamed(set, VIEW.ends.saveLabel(GRACE)).fields).toMatchObject(LATER);
  const cancelled = await submit(browser, set, VIEW.ends.cancelLabel(GRACE));
  expect(cancelled.text).toContain(html(FLASH.endCancelled(GRACE)));
  expect(cancelled.text).not.toContain(html(VIEW.ends.upcomingHeading));
});

it.each([
  ['not an email', INPUT_PROBLEMS.email('not an email')],
  ['', INPUT_PROBLEMS.email('')],
])(
  'an email that is not one (%j) is a 400 page saying so; nothing changes',
  async (email, page) => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const before = await stack.control.stats();
    const refused = await submit(browser, dash, VIEW.ends.addButton, { fields: { email } });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(html(page.heading));
    expect(refused.text).toContain(html(page.paragraphs[0] ?? ''));
    expect((await stack.control.stats()).add_assistants).toBe(before.add_assistants);
  },
);

it('an end in the past is a 400 page naming the zone; the end is not kept', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const refused = await submit(browser, dash, VIEW.ends.saveLabel(GRACE), {
    fields: { date: '2020-01-01', time: '09:00' },
  });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain(html(INPUT_PROBLEMS.end_past('London time').paragraphs[0] ?? ''));
  const userId = await stack.control.userId('ada');
  expect(await stack.admin.exists(stack.keyNames.ends(userId))).toBe(0);
});

it('a Zoom refusal is said in words', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const page = await submit(browser, dash, VIEW.ends.addButton, {
    fields: { email: 'barbara.basic@example.com' },
  });
  expect(page.text).toContain(html(NOT_ADDED.no_licence('barbara.basic@example.com')));
});

it('the add form is CSRF-protected like the others', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const form = formTo(dash, '/assistants/add');
  const forged = await browser.postForm(`${stack.app.url}/assistants/add`, {
    ...form.fields,
    _csrf: 'forged',
    email: EDSGER,
  });
  expect(forged.url).toMatch(/\/form-expired$/);
  expect(await atZoom()).not.toContain(EDSGER);
});

it('an end carried out shows in the History as ended as planned, with Undo', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  await submit(browser, dash, VIEW.ends.saveLabel(GRACE), { fields: LATER });
  const services = stack.app.services;
  const report = await carryOutEnds({
    ...services,
    store: services.tokenStore,
    pace: unpaced,
    now: () => LATER_AT,
  });
  expect(report).toMatchObject({ removed: 1 });
  const after = await browser.get(`${stack.app.url}/`);
  expect(after.text).toContain(html(VIEW.history.ended(1)));
  expect(formNamed(after, new RegExp(`^${VIEW.history.undo}`)).action).toMatch(/\/undo$/);
});

it('rotate-keys re-encrypts the ends with the newest key, and they still read', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  await submit(browser, dash, VIEW.ends.saveLabel(GRACE), { fields: LATER });
  const userId = await stack.control.userId('ada');
  const fresh = deriveEncryptionKey(randomBytes(32));
  const cipher = new RecordCipher([fresh, ...loadConfig(stack.env).tokens.encryptionKeys]);
  const keys = new RedisKeys(stack.prefix);
  expect(await rotateAssistantEnds(stack.admin, keys, cipher)).toMatchObject({
    entries: 1,
    rotated: 1,
  });
  const ends = await new RedisAssistantEnds(stack.admin, keys, cipher).list(userId);
  expect(ends).toEqual([expect.objectContaining({ email: GRACE, at: LATER_AT })]);
});

it('a grant without the permission to add is told so on the add form, before the click', async () => {
  await stack.control.post('/config', {
    grantScopes: 'user:read:user user:read:list_assistants user:delete:assistant',
  });
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  const addForm = /<form class="add"[\s\S]*?<\/form>/.exec(dash.text)?.[0] ?? '';
  expect(addForm).toContain(html(VIEW.dashboard.needsPermission));
  const refused = await submit(browser, dash, VIEW.ends.addButton, { fields: { email: EDSGER } });
  expect(refused.text).toContain(html(ACTION_WORDS['add-assistant'].needsPermission ?? ''));
  expect(await atZoom()).not.toContain(EDSGER);
});
