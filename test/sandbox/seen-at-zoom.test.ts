import { json, sharedHarness, type Json, type Tokens } from './client';

/**
 * Behaviours Zoom has been seen to show, each switched on through the control API (sandbox
 * README, "Seen at Zoom"), and the limits of what an add and a list take and give.
 */

const h = sharedHarness();

const EDSGER = { id: 'gdWykqteabP4hAsOkaQQ6Q', email: 'edsger@example.com' };
const KATHERINE = { id: 's8B6GIiYc_ipeiU-rzG5GA', email: 'katherine.assistant@example.com' };
const DUPLICATE_KEY = {
  code: -1,
  message:
    'Duplicate key null (attempted merging values com.saasbee.webapp.api2.userapi.view.UserAssistant@57f3466e and com.saasbee.webapp.api2.userapi.view.UserAssistant@616228a7)',
};
const DAILY_MESSAGE =
  'You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.';

function add(token: string, assistants: Json[]): Promise<Response> {
  return h.client.api('/users/me/assistants', token, 'POST', { assistants });
}

async function assistantEmails(token: string): Promise<string[]> {
  const res = await h.client.api('/users/me/assistants', token);
  expect(res.status).toBe(200);
  return ((await json(res))['assistants'] as Json[]).map((a) => a['email'] as string);
}

async function controlAssistants(user: string): Promise<string[]> {
  const snap = await h.client.get(`/_sandbox/users/${user}`);
  return (snap['assistants'] as Json[]).map((a) => a['email'] as string);
}

describe('an add that answers 201 and adds nobody (devforum /t/137382)', () => {
  test('addAssistantsIgnored: true → 201 naming the person, who is not an assistant', async () => {
    await h.client.config({ addAssistantsIgnored: true });
    const alan = await h.client.login('alan');
    const res = await add(alan.access_token, [EDSGER]);
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ ids: EDSGER.id });
    expect(await assistantEmails(alan.access_token)).toEqual([]);
    expect(await controlAssistants('alan')).toEqual([]);
    expect(await h.client.stats()).toMatchObject({ add_assistants: 1, add_assistants_ignored: 1 });
    // Switched off, the same add works.
    await h.client.config({ addAssistantsIgnored: false });
    expect((await add(alan.access_token, [EDSGER])).status).toBe(201);
    expect(await assistantEmails(alan.access_token)).toEqual([EDSGER.email]);
  });

  test('a list of ids or emails leaves only those people out', async () => {
    const config = await h.client.config({ addAssistantsIgnored: ['EDSGER@example.com'] });
    expect(config['addAssistantsIgnored']).toEqual(['EDSGER@example.com']);
    const alan = await h.client.login('alan');
    const res = await add(alan.access_token, [{ id: EDSGER.id }, { email: KATHERINE.email }]);
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ ids: `${EDSGER.id},${KATHERINE.id}` });
    expect(await assistantEmails(alan.access_token)).toEqual([KATHERINE.email]);
    await h.client.config({ addAssistantsIgnored: [KATHERINE.id] });
    expect((await add(alan.access_token, [{ email: EDSGER.email }])).status).toBe(201);
    expect(await assistantEmails(alan.access_token)).toEqual([KATHERINE.email, EDSGER.email]);
  });

  test('the checks still come first: a refusal is not turned into a 201', async () => {
    await h.client.config({ addAssistantsIgnored: true });
    const ada = await h.client.login('ada');
    const res = await add(ada.access_token, [{ email: 'nobody@example.com' }]);
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ code: 200, message: "Can't find user nobody@example.com." });
    expect((await h.client.stats())['add_assistants_ignored']).toBe(0);
  });

  test('reset switches it off', async () => {
    await h.client.config({ addAssistantsIgnored: true, addAssistantsBatchRefused: true });
    await h.client.post('/_sandbox/reset');
    expect(await h.client.get('/_sandbox/config')).toMatchObject({
      addAssistantsIgnored: false,
      addAssistantsBatchRefused: false,
    });
  });
});

describe('a batch refused with code -1 (devforum /t/137382)', () => {
  test('2 or more people → 400 code -1 and nothing added; one at a time works', async () => {
    await h.client.config({ addAssistantsBatchRefused: true });
    const alan = await h.client.login('alan');
    const batch = await add(alan.access_token, [EDSGER, { id: KATHERINE.id }]);
    expect(batch.status).toBe(400);
    expect(batch.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(await json(batch)).toEqual(DUPLICATE_KEY);
    expect(await assistantEmails(alan.access_token)).toEqual([]);
    expect((await add(alan.access_token, [{ id: EDSGER.id }])).status).toBe(201);
    expect((await add(alan.access_token, [{ email: KATHERINE.email }])).status).toBe(201);
    expect(await assistantEmails(alan.access_token)).toEqual([EDSGER.email, KATHERINE.email]);
    // "deletes kept working"
    expect((await h.client.api('/users/me/assistants', alan.access_token, 'DELETE')).status).toBe(
      204,
    );
    expect(await assistantEmails(alan.access_token)).toEqual([]);
    expect((await h.client.stats())['add_assistants_batch_refused']).toBe(1);
  });

  test('both at once, as the thread saw them: batches refused, single adds silent', async () => {
    await h.client.config({ addAssistantsBatchRefused: true, addAssistantsIgnored: true });
    const ada = await h.client.login('ada');
    const before = await assistantEmails(ada.access_token);
    expect((await h.client.api('/users/me/assistants', ada.access_token, 'DELETE')).status).toBe(
      204,
    );
    const batch = await add(
      ada.access_token,
      before.map((email) => ({ email })),
    );
    expect(await json(batch)).toEqual(DUPLICATE_KEY);
    for (const email of before) expect((await add(ada.access_token, [{ email }])).status).toBe(201);
    expect(await assistantEmails(ada.access_token)).toEqual([]);
    expect((await h.client.stats())['add_assistants_ignored']).toBe(before.length);
  });
});

describe('the daily limit: a 429 without Retry-After until 00:00 UTC', () => {
  /** Starts the sandbox day at 00:00 UTC so no real midnight falls inside a test. */
  async function startOfDay(): Promise<string> {
    const clock = await json(await h.client.post('/_sandbox/clock', { to: 'next-utc-midnight' }));
    expect(clock['now']).toMatch(/T00:00:00\.000Z$/);
    return clock['now'] as string;
  }

  async function longLogin(user: string): Promise<Tokens> {
    // The clock moves by up to a day here; the token must outlive that.
    await h.client.config({ accessTokenTtlSeconds: 10 * 86400 });
    return h.client.login(user);
  }

  test('no daily limit by default (a paid account), and no counters in the headers', async () => {
    const ada = await h.client.login('ada');
    const res = await h.client.api('/users/me/assistants', ada.access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    expect(await h.client.get('/_sandbox/daily-usage')).toMatchObject({
      limits: { Light: null, Medium: null },
      used: { Light: 0, Medium: 1 },
    });
  });

  test('a Free account: counters per label in the headers, then a bare 429', async () => {
    const day = await startOfDay();
    await h.client.config({ dailyLimits: { Light: 6000, Medium: 2000 } });
    const ada = await longLogin('ada');
    const ok = await h.client.api('/users/me/assistants', ada.access_token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-category')).toBe('Medium');
    expect(ok.headers.get('x-ratelimit-limit')).toBe('2000');
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('1999');
    const spent = await h.client.post('/_sandbox/daily-usage', { used: { Medium: 2000 } });
    expect(await json(spent)).toEqual({
      day: day.slice(0, 10),
      resets_at: `${new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`,
      limits: { Light: 6000, Medium: 2000 },
      used: { Light: 0, Medium: 2000 },
    });
    for (const path of ['/users/me/assistants', '/users/me/schedulers']) {
      const res = await h.client.api(path, ada.access_token);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBeNull();
      expect(res.headers.get('x-ratelimit-type')).toBeNull();
      expect(res.headers.get('x-ratelimit-category')).toBe('Medium');
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(await json(res)).toEqual({ code: 429, message: DAILY_MESSAGE });
    }
    const adding = await add(ada.access_token, [EDSGER]);
    expect(adding.status).toBe(429);
    expect(await controlAssistants('ada')).not.toContain(EDSGER.email);
    // Light calls have their own quota.
    const me = await h.client.api('/users/me', ada.access_token);
    expect(me.status).toBe(200);
    expect(me.headers.get('x-ratelimit-remaining')).toBe('5999');
    await h.client.post('/_sandbox/daily-usage', { used: { Light: 6000 } });
    expect((await h.client.api('/users/me', ada.access_token)).status).toBe(429);
    expect(
      (await h.client.api(`/users/me/assistants/${KATHERINE.id}`, ada.access_token, 'DELETE'))
        .status,
    ).toBe(429);
    expect(await controlAssistants('ada')).toContain(KATHERINE.email);
    expect((await h.client.stats())['api_daily_limited']).toBe(5);
  });

  test('it holds until the sandbox clock passes 00:00 UTC, then the counters start again', async () => {
    await startOfDay();
    await h.client.config({ dailyLimits: { Medium: 0 } });
    const ada = await longLogin('ada');
    expect((await h.client.api('/users/me/assistants', ada.access_token)).status).toBe(429);
    await h.client.post('/_sandbox/clock', { advanceSeconds: 86400 - 60 });
    expect((await h.client.api('/users/me/assistants', ada.access_token)).status).toBe(429);
    const midnight = await json(
      await h.client.post('/_sandbox/clock', { to: 'next-utc-midnight' }),
    );
    expect(midnight['now']).toMatch(/T00:00:00\.000Z$/);
    // A limit of 0 still refuses on the new day; a real quota comes back.
    expect((await h.client.api('/users/me/assistants', ada.access_token)).status).toBe(429);
    await h.client.config({ dailyLimits: { Medium: 2000 } });
    await h.client.post('/_sandbox/daily-usage', { used: { Medium: 2000 } });
    expect((await h.client.api('/users/me/assistants', ada.access_token)).status).toBe(429);
    await h.client.post('/_sandbox/clock', { to: 'next-utc-midnight' });
    const back = await h.client.api('/users/me/assistants', ada.access_token);
    expect(back.status).toBe(200);
    expect(back.headers.get('x-ratelimit-remaining')).toBe('1999');
    expect(await h.client.get('/_sandbox/daily-usage')).toMatchObject({
      used: { Light: 0, Medium: 1 },
    });
    // null lifts the limit.
    await h.client.config({ dailyLimits: { Medium: null } });
    await h.client.post('/_sandbox/daily-usage', { used: { Medium: 5000 } });
    expect((await h.client.api('/users/me/assistants', ada.access_token)).status).toBe(200);
  });

  test("a queued Daily-limit fault's Retry-After follows the sandbox clock", async () => {
    const now = await startOfDay();
    const ada = await longLogin('ada');
    await h.client.post('/_sandbox/faults', {
      target: 'api',
      status: 429,
      rateLimitType: 'Daily-limit',
    });
    const res = await h.client.api('/users/me', ada.access_token);
    const tomorrow = new Date(Date.parse(now) + 86_400_000).toISOString().slice(0, 10);
    expect(res.headers.get('retry-after')).toBe(`${tomorrow}T00:00:00Z`);
  });

  test('bad bodies are refused', async () => {
    for (const body of [{ dailyLimits: { Light: -1 } }, { dailyLimits: { Medium: 1.5 } }]) {
      expect((await h.client.post('/_sandbox/config', body)).status).toBe(400);
    }
    expect((await h.client.post('/_sandbox/daily-usage', { used: { Light: -1 } })).status).toBe(
      400,
    );
    expect((await h.client.post('/_sandbox/clock', { to: 'tomorrow' })).status).toBe(400);
    expect((await h.client.post('/_sandbox/clock', { advanceSeconds: -1 })).status).toBe(400);
  });
});

describe('who an add names: "either the user\'s ID or the user\'s email address"', () => {
  test('an email is looked up as an email: a placeholder or an id there is not found', async () => {
    const alan = await h.client.login('alan');
    const cases: [Json, string][] = [
      [{ email: '(no email)' }, "Can't find user (no email)."],
      [{ email: EDSGER.id }, `Can't find user ${EDSGER.id}.`],
      [{ id: EDSGER.id, email: '(no email)' }, "Can't find user (no email)."],
      [{ id: EDSGER.id, email: KATHERINE.email }, `Can't find user ${KATHERINE.email}.`],
      [{ id: EDSGER.email }, `Can't find user ${EDSGER.email}.`],
    ];
    for (const [entry, message] of cases) {
      const res = await add(alan.access_token, [entry]);
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({ code: 200, message });
    }
    expect(await assistantEmails(alan.access_token)).toEqual([]);
  });

  test('an id with its own email (any case) is that person', async () => {
    const alan = await h.client.login('alan');
    const res = await add(alan.access_token, [{ id: EDSGER.id, email: 'Edsger@Example.com' }]);
    expect(res.status).toBe(201);
    expect(await assistantEmails(alan.access_token)).toEqual([EDSGER.email]);
  });
});

describe('lists hold at most 30', () => {
  const many = (n: number, tag: string): string[] =>
    Array.from({ length: n }, (_, i) => `${tag}${String(i).padStart(2, '0')}@example.com`);

  test('the control API seeds 35 assistants in one call; REST lists the first 30', async () => {
    const people = many(35, 'helper');
    const seeded = await h.client.post('/_sandbox/users/alan/assistants', { emails: people });
    expect(seeded.status).toBe(200);
    expect(((await json(seeded))['assistants'] as Json[]).length).toBe(35);
    const alan = await h.client.login('alan');
    const res = await h.client.api('/users/me/assistants', alan.access_token);
    const body = await json(res);
    expect(Object.keys(body)).toEqual(['assistants']);
    expect((body['assistants'] as Json[]).map((a) => a['email'])).toEqual(people.slice(0, 30));
    expect(await controlAssistants('alan')).toEqual(people);
    // Removing one shown lets the 31st in.
    const first = (body['assistants'] as Json[])[0]?.['id'] as string;
    expect(
      (await h.client.api(`/users/me/assistants/${first}`, alan.access_token, 'DELETE')).status,
    ).toBe(204);
    expect(await assistantEmails(alan.access_token)).toEqual(people.slice(1, 31));
    // "Remove all" removes the unseen ones too.
    expect((await h.client.api('/users/me/assistants', alan.access_token, 'DELETE')).status).toBe(
      204,
    );
    expect(await controlAssistants('alan')).toEqual([]);
  });

  test('the control API seeds 35 schedulers in one call; REST lists 30', async () => {
    const hosts = many(35, 'host');
    expect((await h.client.post('/_sandbox/users/alan/schedulers', { emails: hosts })).status).toBe(
      200,
    );
    const alan = await h.client.login('alan');
    const body = await json(await h.client.api('/users/me/schedulers', alan.access_token));
    expect((body['schedulers'] as Json[]).map((s) => s['email'])).toEqual(hosts.slice(0, 30));
  });
});
