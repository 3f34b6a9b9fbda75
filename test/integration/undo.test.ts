import { ACTION_WORDS, LANDING_NOTICES, FLASH, PAGE, VIEW } from '../../src/http/copy';
import { Browser, html, signIn, type Page } from '../../harness/browser';
import { formTo, formsOf, submit } from '../../harness/forms';
import { startStack, type Stack } from '../../harness/stack';
import { keysNamingUser, valueOf } from '../../harness/grant-records';
import { randomBytes } from 'node:crypto';
import { deriveEncryptionKey, loadConfig } from '../../src/config';
import { RecordCipher } from '../../src/store/crypto';
import { rotateRemovalHistories } from '../../src/store/key-rotation';
import { RedisKeys } from '../../src/store/keys';
import { RedisLedger } from '../../src/store/ledger';

/**
 * A way back (issue 12): every removal is remembered, encrypted, for 30 days and can be undone
 * once — with each person's can_manage_host_private_event — through Zoom's add call. Real
 * Redis, the sandbox over HTTP, two app instances.
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

interface SandboxAssistant {
  id: string;
  email: string;
  can_manage_host_private_event: boolean;
}

async function assistantsAtZoom(user = 'ada'): Promise<SandboxAssistant[]> {
  const snap = await stack.control.get<{ assistants: SandboxAssistant[] }>(`/users/${user}`);
  return [...snap.assistants].sort((a, b) => a.email.localeCompare(b.email));
}

const url = (p: string, app = stack.app): string => `${app.url}${p}`;

/** Ticks the confirmation and clicks "Remove all assistants". */
async function clearAll(browser: Browser, dash: Page): Promise<Page> {
  return submit(browser, dash, VIEW.dashboard.clearButton(3), { tick: true });
}

async function removeOne(browser: Browser, dash: Page, email: string): Promise<Page> {
  return submit(browser, dash, VIEW.dashboard.removeLabel(email));
}

/** The Undo buttons' forms on a page, in order: the flash's first (if any), then the history's. */
function undoForms(page: Page): ReturnType<typeof formsOf> {
  // The message's "Undo: put back …" and the history's "Undo the removal of …".
  return formsOf(page).filter((f) => f.button.startsWith(VIEW.history.undo));
}

/** Clicks the `which`-th Undo, on `app` (the page may have come from another instance). */
async function undo(browser: Browser, page: Page, which = 0, app = stack.app): Promise<Page> {
  const form = undoForms(page)[which];
  if (!form) throw new Error('no Undo on the page');
  return browser.postForm(url(form.action, app), form.fields);
}

describe('undo', () => {
  test('remove one → undo: the same assistant, with the same setting, is back at Zoom', async () => {
    const before = await assistantsAtZoom();
    const alan = before.find((a) => a.email === 'alan.assistant@example.com');
    expect(alan?.can_manage_host_private_event).toBe(true);
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const removed = await removeOne(browser, dash, 'alan.assistant@example.com');
    expect(removed.text).toContain(FLASH.removed(['alan.assistant@example.com']));
    expect(await assistantsAtZoom()).toHaveLength(2);
    const after = await undo(browser, removed);
    expect(after.status).toBe(200);
    expect(after.text).toContain(FLASH.putBack(['alan.assistant@example.com']));
    expect(await assistantsAtZoom()).toEqual(before);
  });

  test('clear all → undo: everyone is back with their settings; the entry says when it was undone', async () => {
    const before = await assistantsAtZoom();
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const cleared = await clearAll(browser, dash);
    expect(cleared.text).toContain(
      FLASH.removed([
        'grace.assistant@example.com',
        'alan.assistant@example.com',
        'katherine.assistant@example.com',
      ]),
    );
    expect(cleared.text).toContain(VIEW.history.removed(3));
    expect(await assistantsAtZoom()).toEqual([]);
    const after = await undo(browser, cleared);
    expect(await assistantsAtZoom()).toEqual(before);
    expect(after.text).toContain(VIEW.dashboard.canSchedule(3));
    expect(after.text).toMatch(/Undone today at \d\d:\d\d/);
    expect(undoForms(after)).toEqual([]); // nothing left to undo
  });

  test('undo twice: the second changes nothing and says so', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const cleared = await clearAll(browser, dash);
    await undo(browser, cleared);
    const again = await undo(browser, cleared);
    expect(again.text).toMatch(
      /This removal was already undone today at \d\d:\d\d [A-Za-z ]+ time; nothing changed\./,
    );
    expect((await stack.control.stats()).add_assistants).toBe(1);
  });

  test('a double submit from two tabs on two processes puts back once', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const cleared = await clearAll(browser, dash);
    const other = stack.apps[1] ?? stack.app;
    browser.setCookie(other.url, 'zar.sid', browser.cookie(stack.app.url, 'zar.sid') ?? '');
    // The first add is slow: the other tab's claim must come within the hold, and the hold must
    // end within the app's 1.5 s Zoom timeout; 750 ms leaves each of them as much.
    await stack.control.post('/faults', { target: 'api', delayMs: 750 });
    const [a, b] = await Promise.all([undo(browser, cleared), undo(browser, cleared, 0, other)]);
    expect((await stack.control.stats()).add_assistants).toBe(1);
    const texts = [a.text, b.text].join('\n');
    expect(texts).toContain(html(FLASH.undoRunning));
    expect(await assistantsAtZoom()).toHaveLength(3);
  });

  test('Zoom refuses one person: the others are back, and the page says who and why', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const cleared = await clearAll(browser, dash);
    // Meanwhile Katherine left the account, and Alan lost his licence.
    await stack.control.delete('/members/katherine.assistant@example.com');
    await stack.control.post('/members', { email: 'alan.assistant@example.com', type: 1 });
    const after = await undo(browser, cleared);
    expect(after.text).toContain(FLASH.putBack(['grace.assistant@example.com']));
    expect(after.text).toContain(
      html(FLASH.notPutBack('katherine.assistant@example.com', 'not_in_account')),
    );
    expect(after.text).toContain(
      html(FLASH.notPutBack('alan.assistant@example.com', 'no_licence')),
    );
    // Each in words the user can act on: why this person, not only that it failed.
    expect(after.text).toMatch(
      /alan\.assistant@example\.com could not be put back: [^<]*licen[cs]e/,
    );
    expect(after.text).toMatch(
      /katherine\.assistant@example\.com could not be put back: [^<]*account/,
    );
    expect((await assistantsAtZoom()).map((a) => a.email)).toEqual(['grace.assistant@example.com']);
  });

  test('someone already an assistant again counts as put back', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const cleared = await clearAll(browser, dash);
    await stack.control.post('/users/ada/assistants', {
      assistants: [{ email: 'grace.assistant@example.com' }],
    });
    const after = await undo(browser, cleared);
    expect(after.text).toContain(
      FLASH.putBack([
        'grace.assistant@example.com',
        'alan.assistant@example.com',
        'katherine.assistant@example.com',
      ]),
    );
    expect(await assistantsAtZoom()).toHaveLength(3);
  });

  test('a removal made elsewhere is not undone into existence', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada'); // the page shows three
    await stack.control.delete('/users/ada/assistants/katherine.assistant@example.com');
    // The page is stale: nothing is removed, and the page says what changed.
    const stale = await clearAll(browser, dash);
    expect(stale.text).toContain(html(ACTION_WORDS['remove-all-assistants'].listChanged([], 1)));
    expect(await assistantsAtZoom()).toHaveLength(2);
    const cleared = await clearAll(browser, stale);
    expect(cleared.text).toContain(
      FLASH.removed(['grace.assistant@example.com', 'alan.assistant@example.com']),
    );
    await undo(browser, cleared);
    expect((await assistantsAtZoom()).map((a) => a.email)).not.toContain(
      'katherine.assistant@example.com',
    );
  });

  test('removing someone already gone is said plainly, not as an error, and records nothing', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await stack.control.delete('/users/ada/assistants/alan.assistant@example.com');
    const page = await removeOne(browser, dash, 'alan.assistant@example.com');
    expect(page.text).toContain('flash flash-info');
    expect(page.text).toContain(
      ACTION_WORDS['remove-assistant'].nothingThere('alan.assistant@example.com'),
    );
    // The History has only the removal made outside the app, none made here.
    expect(page.text).toContain(html(VIEW.history.change.removedOutside));
    expect(page.text).not.toContain(html(VIEW.history.removed(1)));
  });

  test('a removal that fails at Zoom records nothing', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await stack.control.post('/faults', { target: 'api', status: 503, count: 5 });
    const page = await clearAll(browser, dash);
    expect(page.text).toContain(html(VIEW.history.empty));
    // Only the lists as seen are kept, no entry.
    const key = stack.keyNames.history(await stack.control.userId('ada'));
    expect(await stack.admin.hkeys(key)).toEqual(['seen']);
  });
});

describe('every answer Zoom gives to an undo', () => {
  async function clearedPage(): Promise<{ browser: Browser; page: Page }> {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    return { browser, page: await clearAll(browser, dash) };
  }

  test.each([
    [
      '429 with Retry-After',
      { status: 429, retryAfter: '12' },
      'Zoom is limiting requests; try again in 12 seconds.',
    ],
    ['a 5xx', { status: 502 }, 'Zoom did not answer; try again.'],
    ['no answer in time', { delayMs: 2500 }, 'Zoom did not answer; try again.'],
  ])('%s: a clear message, nothing lost, and the undo works later', async (_label, fault, why) => {
    const { browser, page } = await clearedPage();
    await stack.control.post('/faults', { target: 'api', ...fault });
    const failed = await undo(browser, page);
    expect(failed.text).toContain(
      html(ACTION_WORDS['undo-removal'].refused(why, { reason: 'zoom_down' })),
    );
    expect(undoForms(failed).length).toBeGreaterThan(0); // still available
    await stack.control.clearFaults();
    const later = await undo(browser, failed);
    expect(later.text).toContain('Put back');
    expect(await assistantsAtZoom()).toHaveLength(3);
  });

  test('404 code 1001 names `me`: the user is gone at Zoom, so the grant ends', async () => {
    const { browser, page } = await clearedPage();
    await stack.control.post('/faults', {
      target: 'api',
      status: 404,
      body: { code: 1001, message: 'User does not exist: me.' },
    });
    const failed = await undo(browser, page);
    expect(failed.text).toContain(html(LANDING_NOTICES.reconnect));
    const ada = await stack.control.userId('ada');
    expect(await keysNamingUser(stack, ada, 'ada@example.com')).toEqual([]);
  });

  test('a 201 that adds nobody: the page says who is not back, and their Undo stays', async () => {
    const { browser, page } = await clearedPage();
    await stack.control.post('/config', { addAssistantsIgnored: ['grace.assistant@example.com'] });
    const after = await undo(browser, page);
    expect(after.text).toContain(html(FLASH.notBack('grace.assistant@example.com')));
    expect(after.text).toContain(
      html(FLASH.putBack(['alan.assistant@example.com', 'katherine.assistant@example.com'])),
    );
    // The message offers the Undo of the one Zoom did not put back.
    expect(undoForms(after).length).toBeGreaterThan(0);
  });

  test('a paid account is required: said so', async () => {
    const { browser, page } = await clearedPage();
    await stack.control.post('/config', { paidAccount: false });
    const failed = await undo(browser, page);
    expect(failed.text).toContain(
      html(ACTION_WORDS['undo-removal'].refused('', { reason: 'paid_account_required' })),
    );
  });

  test('a grant made before the app asked for user:write:assistant: reconnect, and the history stays', async () => {
    await stack.control.post('/config', {
      grantScopes: 'user:read:user user:read:list_assistants user:delete:assistant',
    });
    const { browser, page } = await clearedPage();
    const failed = await undo(browser, page);
    expect(failed.text).toContain(html(ACTION_WORDS['undo-removal'].needsPermission));
    expect(failed.text).toContain('href="/install"');
    expect(undoForms(failed).length).toBeGreaterThan(0);
    expect((await stack.control.stats()).token_refresh).toBe(0);
  });
});

describe('the history is the user’s data', () => {
  test('it survives a restart and is read by another process', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await clearAll(browser, dash);
    const restarted = await stack.addInstance();
    browser.setCookie(restarted.url, 'zar.sid', browser.cookie(stack.app.url, 'zar.sid') ?? '');
    const page = await browser.get(url('/', restarted));
    expect(page.text).toContain(VIEW.history.removed(3));
    const after = await undo(browser, page, 0, restarted);
    expect(after.text).toContain('Put back');
  });

  test('nothing of it is readable in Redis', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await clearAll(browser, dash);
    const key = stack.keyNames.history(await stack.control.userId('ada'));
    const raw = await valueOf(stack.admin, key);
    expect(raw.length).toBeGreaterThan(0);
    for (const secret of ['grace.assistant', 'alan.assistant', 'uCvltJ6axW4hFfR0kAqF4g', 'true']) {
      expect(raw).not.toContain(secret);
    }
    expect(await stack.admin.ttl(key)).toBeGreaterThan(29 * 24 * 3600);
  });

  test('deauthorization leaves none of it', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await clearAll(browser, dash);
    await stack.control.post('/remove-app', { user: 'ada' });
    const userId = await stack.control.userId('ada');
    expect(await stack.admin.exists(stack.keyNames.history(userId))).toBe(0);
  });

  test('disconnecting leaves none of it', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    const cleared = await clearAll(browser, dash);
    // Said before: the form says it deletes the history with its one Undo, and carries the count.
    expect(cleared.text).toContain(html(VIEW.dashboard.disconnectHistory(1)));
    const bye = await browser.postForm(url('/disconnect'), {
      ...formTo(cleared, '/disconnect').fields,
      confirm: 'yes',
    });
    const userId = await stack.control.userId('ada');
    expect(await stack.admin.exists(stack.keyNames.history(userId))).toBe(0);
    // Said after.
    expect(bye.url).toMatch(/\/goodbye\?revoked=1&undos=1$/);
    expect(bye.text).toContain(html(PAGE.disconnected(true, 1).paragraphs[1] ?? ''));
  });

  test('rotate-keys re-encrypts it with the newest key, and it still reads', async () => {
    const browser = new Browser();
    const dash = await signIn(browser, stack.app.url, 'ada');
    await clearAll(browser, dash);
    const userId = await stack.control.userId('ada');
    const old = loadConfig(stack.env).tokens.encryptionKeys;
    const fresh = deriveEncryptionKey(randomBytes(32));
    const cipher = new RecordCipher([fresh, ...old]);
    const keys = new RedisKeys(stack.prefix);
    // The removal and the lists as last seen.
    expect(await rotateRemovalHistories(stack.admin, keys, cipher)).toEqual({
      entries: 2,
      rotated: 2,
      alreadyCurrent: 0,
      changedMeanwhile: 0,
      notOpened: 0,
    });
    const sealed = Object.values(await stack.admin.hgetall(keys.history(userId)));
    expect(sealed.map((v) => RecordCipher.keyIdOf(v))).toEqual([fresh.id, fresh.id]);
    const [entry] = await new RedisLedger(stack.admin, keys, cipher).list(userId, Date.now());
    expect(entry?.assistants).toHaveLength(3);
    // Run again: nothing left to do.
    expect((await rotateRemovalHistories(stack.admin, keys, cipher)).alreadyCurrent).toBe(2);
  });
});
