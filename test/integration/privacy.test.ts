import { Browser, csrfOf, signIn, type Page } from '../../harness/browser';
import { startStack, type Stack } from '../../harness/stack';
import { valueOf } from '../../harness/grant-records';

/**
 * Nothing in Redis names a person: a copy of the store (a backup, a snapshot, a support dump)
 * holds ids, tokens and history only sealed. Checked on every value, read in every encoding a
 * name could hide in: as is, URL-encoded, JSON-escaped, base64 and base64url.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

/** Every reading of a value: itself, and its decodings, two levels deep. */
function readings(value: string): string[] {
  const found = new Set<string>([value]);
  let frontier = [value];
  for (let depth = 0; depth < 2; depth++) {
    const next: string[] = [];
    const add = (s: string): void => {
      if (!found.has(s)) {
        found.add(s);
        next.push(s);
      }
    };
    for (const v of frontier) {
      try {
        add(decodeURIComponent(v));
      } catch {
        // not URL-encoded
      }
      for (const [literal] of v.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
        try {
          add(String(JSON.parse(literal)));
        } catch {
          // not a JSON string
        }
      }
      for (const [token] of v.matchAll(/[A-Za-z0-9+/_-]{8,}={0,2}/g)) {
        add(Buffer.from(token, 'base64').toString('utf8'));
        add(Buffer.from(token, 'base64url').toString('utf8'));
      }
    }
    frontier = next;
  }
  return [...found];
}

/** Keys whose name or value, in any reading, holds one of `words` (case-insensitive). */
async function naming(words: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const key of await stack.keys()) {
    const texts = [key, ...readings(await valueOf(stack.admin, key))].map((t) => t.toLowerCase());
    for (const w of words) {
      if (texts.some((t) => t.includes(w.toLowerCase()))) hits.push(`${key} names ${w}`);
    }
  }
  return hits;
}

// Every seeded person's address is at example.com; the name and time zone are Ada's own.
const PERSON = ['example.com', 'Lovelace', 'Ada Lovelace', 'Europe/London'];

async function removeOne(browser: Browser, dash: Page, email: string): Promise<Page> {
  const m = new RegExp(
    `action="(/assistants/[^"]+/remove)">\\s*<input type="hidden" name="_csrf" value="[^"]*">\\s*<input type="hidden" name="email" value="${email}">`,
  ).exec(dash.text);
  if (!m?.[1]) throw new Error(`no remove form for ${email}`);
  return browser.postForm(
    `${stack.app.url}${m[1]}`,
    { _csrf: csrfOf(dash), email },
    {
      follow: false,
    },
  );
}

test('the reader sees through every encoding (else the check below proves nothing)', () => {
  const email = 'ada@example.com';
  for (const hidden of [
    `{"e":"${email}"}`,
    encodeURIComponent(`{"e":"${email}"}`),
    JSON.stringify(JSON.stringify({ e: email })),
    `x.${Buffer.from(`{"e":"${email}"}`).toString('base64')}.y`,
    Buffer.from(encodeURIComponent(email)).toString('base64url'),
    `"\\u0061da@example.com"`,
  ]) {
    expect(readings(hidden).some((r) => r.includes(email))).toBe(true);
  }
});

test('after sign-in, a removal with its message pending, and an undo, no value names a person', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  expect(dash.text).toContain('Ada Lovelace'); // the page names her: from the sealed grant
  expect(await naming(PERSON)).toEqual([]);

  // The one-time message names the removed assistant; it waits in the session, unread.
  const removed = await removeOne(browser, dash, 'alan.assistant@example.com');
  expect(removed.status).toBe(303);
  expect(await naming(PERSON)).toEqual([]);

  const page = await browser.get(`${stack.app.url}/`);
  expect(page.text).toContain('alan.assistant@example.com'); // the message, opened and shown
  const undo = /action="(\/history\/[^"]+\/undo)"/.exec(page.text)?.[1] ?? '';
  const undone = await browser.postForm(
    `${stack.app.url}${undo}`,
    { _csrf: csrfOf(page) },
    {
      follow: false,
    },
  );
  expect(undone.status).toBe(303);
  expect(await naming(PERSON)).toEqual([]);
  expect((await browser.get(`${stack.app.url}/`)).text).toContain('alan.assistant@example.com');
});

test('a session holds ids, its CSRF token and sealed parts only', async () => {
  const browser = new Browser();
  const dash = await signIn(browser, stack.app.url, 'ada');
  await removeOne(browser, dash, 'grace.assistant@example.com');
  const sessions = (await stack.keys()).filter((k) => k.startsWith(stack.keyNames.sessionPrefix));
  expect(sessions.length).toBeGreaterThan(0);
  for (const key of sessions) {
    const session = JSON.parse((await stack.admin.get(key)) ?? '{}') as Record<string, unknown>;
    for (const field of Object.keys(session)) {
      expect(['cookie', 'user', 'seenAt', 'csrfToken', 'pendingAuth', 'sealedFlash']).toContain(
        field,
      );
    }
    if (session.user) expect(Object.keys(session.user).sort()).toEqual(['grantId', 'id']);
  }
});
