import { json, sharedHarness, type Json } from './client';

const h = sharedHarness();

const ADA_ID = 'UeFKIF6VN92O02c6VqJL8w';
const GRACE_ID = 'yTNvvRuFTRwON-ic7INcEw';
const ALAN_ID = 'aE0A1EffNQkrQdnnV0l1vw';

interface Person {
  id: string;
  email: string;
  can_manage_host_private_event?: boolean;
  pmi?: number;
}

async function listOf(path: string, token: string, key: string): Promise<Person[]> {
  const res = await h.client.api(path, token);
  expect(res.status).toBe(200);
  return (await json(res))[key] as Person[];
}

const emails = (people: Person[]): string[] => people.map((p) => p.email);

async function add(token: string, assistants: Json[]): Promise<Response> {
  return h.client.api('/users/me/assistants', token, 'POST', { assistants });
}

describe('seed and default scopes', () => {
  test('the grant carries the granular scopes the app needs', async () => {
    const t = await h.client.login('ada');
    expect(t.scope.split(' ')).toEqual([
      'user:read:user',
      'user:read:list_assistants',
      'user:delete:assistant',
      'user:write:assistant',
      'user:read:list_schedulers',
      'user:delete:scheduler',
    ]);
  });

  test('assistants keep a per-person can_manage_host_private_event', async () => {
    const ada = await h.client.login('ada');
    const list = await listOf('/users/me/assistants', ada.access_token, 'assistants');
    expect(list.map((a) => [a.email, a.can_manage_host_private_event])).toEqual([
      ['grace.assistant@example.com', false],
      ['alan.assistant@example.com', true],
      ['katherine.assistant@example.com', false],
    ]);
  });

  test('demo users have schedulers: ada 2, grace 1, alan 0', async () => {
    const ada = await h.client.login('ada');
    const res = await h.client.api('/users/me/schedulers', ada.access_token);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      schedulers: [
        { id: 'cBbg3HostSchdlr000003C', email: 'charles.host@example.com', pmi: 3815553131 },
        { id: 'mSmv1HostSchdlr000004D', email: 'mary.host@example.com', pmi: 3815553232 },
      ],
      page_size: 30,
      total_records: 2,
    });
    const grace = await h.client.login('grace');
    expect(emails(await listOf('/users/me/schedulers', grace.access_token, 'schedulers'))).toEqual([
      'howard.host@example.com',
    ]);
    const alan = await h.client.login('alan');
    expect(await listOf('/users/me/schedulers', alan.access_token, 'schedulers')).toEqual([]);
    const snap = await h.client.get('/_sandbox/users/ada');
    expect(emails(snap['schedulers'] as Person[])).toEqual([
      'charles.host@example.com',
      'mary.host@example.com',
    ]);
  });

  test('narrowing grantScopes emulates an older grant; issued tokens keep their scopes', async () => {
    const before = await h.client.login('ada');
    await h.client.config({
      grantScopes: 'user:read:user user:read:list_assistants user:delete:assistant',
    });
    const older = await h.client.login('grace');
    expect(older.scope).toBe('user:read:user user:read:list_assistants user:delete:assistant');
    expect((await h.client.api('/users/me/schedulers', older.access_token)).status).toBe(400);
    expect((await h.client.api('/users/me/schedulers', before.access_token)).status).toBe(200);
    // A refresh keeps the scopes the grant was issued with.
    const rotated = (await json(await h.client.refresh(before.refresh_token))) as {
      scope: string;
    };
    expect(rotated.scope.split(' ')).toContain('user:delete:scheduler');
  });
});

describe('schedulers REST', () => {
  test('delete one, unknown id 204 (or 404 on request), then delete all', async () => {
    const ada = await h.client.login('ada');
    const one = await h.client.api(
      '/users/me/schedulers/cBbg3HostSchdlr000003C',
      ada.access_token,
      'DELETE',
    );
    expect(one.status).toBe(204);
    expect(await one.text()).toBe('');
    expect(emails(await listOf('/users/me/schedulers', ada.access_token, 'schedulers'))).toEqual([
      'mary.host@example.com',
    ]);
    // The other side agrees: charles no longer has ada as assistant.
    const members = (await h.client.get('/_sandbox/members'))['members'] as (Json & Person)[];
    const charles = members.find((m) => m.email === 'charles.host@example.com');
    expect(charles?.['assistants']).toEqual([]);

    const unknown = await h.client.api(
      '/users/me/schedulers/nobodyAtAll',
      ada.access_token,
      'DELETE',
    );
    expect(unknown.status).toBe(204);
    await h.client.config({ unknownSchedulerDelete: 404 });
    const strict = await h.client.api(
      '/users/me/schedulers/nobodyAtAll',
      ada.access_token,
      'DELETE',
    );
    expect(strict.status).toBe(404);
    expect(await json(strict)).toEqual({
      code: 1001,
      message: 'User does not exist: nobodyAtAll.',
    });

    const all = await h.client.api('/users/me/schedulers', ada.access_token, 'DELETE');
    expect(all.status).toBe(204);
    expect(await listOf('/users/me/schedulers', ada.access_token, 'schedulers')).toEqual([]);
    expect((await h.client.api('/users/me/schedulers', ada.access_token, 'DELETE')).status).toBe(
      204,
    );
    expect(await h.client.stats()).toMatchObject({
      list_schedulers: 2,
      delete_scheduler: 3,
      delete_schedulers: 2,
    });
  });

  test('one relation, two views: assistant of X ⇔ X in schedulers', async () => {
    const ada = await h.client.login('ada');
    const grace = await h.client.login('grace');
    // grace becomes ada's assistant, "elsewhere".
    const added = await h.client.post('/_sandbox/users/grace/schedulers', {
      emails: ['ada@example.com'],
    });
    expect(emails((await json(added))['schedulers'] as Person[])).toEqual([
      'howard.host@example.com',
      'ada@example.com',
    ]);
    expect(emails(await listOf('/users/me/assistants', ada.access_token, 'assistants'))).toContain(
      'grace@example.com',
    );
    const graceSchedulers = await listOf('/users/me/schedulers', grace.access_token, 'schedulers');
    expect(graceSchedulers[1]).toEqual({ id: ADA_ID, email: 'ada@example.com', pmi: 3815551212 });
    // ada removes grace as assistant → grace's schedulers lose ada.
    const removed = await h.client.api(
      `/users/me/assistants/${GRACE_ID}`,
      ada.access_token,
      'DELETE',
    );
    expect(removed.status).toBe(204);
    expect(emails(await listOf('/users/me/schedulers', grace.access_token, 'schedulers'))).toEqual([
      'howard.host@example.com',
    ]);
    // ada adds grace back; then grace stops being anyone's assistant, from her side.
    expect((await add(ada.access_token, [{ email: 'grace@example.com' }])).status).toBe(201);
    expect((await h.client.api('/users/me/schedulers', grace.access_token, 'DELETE')).status).toBe(
      204,
    );
    expect(
      emails(await listOf('/users/me/assistants', ada.access_token, 'assistants')),
    ).not.toContain('grace@example.com');
    const howard = ((await h.client.get('/_sandbox/members'))['members'] as Json[]).find(
      (m) => m['email'] === 'howard.host@example.com',
    );
    expect(howard?.['assistants']).toEqual([]);
  });

  test('at most 30 schedulers in the answer; total_records counts all', async () => {
    const many = Array.from({ length: 31 }, (_, i) => `host${i}@example.com`);
    expect(
      (await h.client.post('/_sandbox/users/alan/schedulers', { emails: many.slice(0, 30) }))
        .status,
    ).toBe(200);
    await h.client.post('/_sandbox/users/alan/schedulers', { emails: many.slice(30) });
    const alan = await h.client.login('alan');
    const body = await json(await h.client.api('/users/me/schedulers', alan.access_token));
    expect((body['schedulers'] as Person[]).length).toBe(30);
    expect(body).toMatchObject({ page_size: 30, total_records: 31 });
  });

  test('scopes and rate labels per S-USERS', async () => {
    await h.client.config({ grantScopes: 'user:read:user' });
    const t = await h.client.login('ada');
    const list = await h.client.api('/users/me/schedulers', t.access_token);
    expect(list.status).toBe(400);
    expect(await json(list)).toEqual({
      code: 4711,
      message:
        'Invalid access token, does not contain scopes:[user:read:list_schedulers, user:read:list_schedulers:admin].',
    });
    const del = await h.client.api('/users/me/schedulers', t.access_token, 'DELETE');
    expect(await json(del)).toMatchObject({
      message:
        'Invalid access token, does not contain scopes:[user:delete:scheduler, user:delete:scheduler:admin].',
    });
    // Classic: user:read lists but cannot delete; user:write does both.
    await h.client.config({ grantScopes: 'user:read' });
    const reader = await h.client.login('ada');
    expect((await h.client.api('/users/me/schedulers', reader.access_token)).status).toBe(200);
    expect(
      (await h.client.api('/users/me/schedulers/x', reader.access_token, 'DELETE')).status,
    ).toBe(400);
    await h.client.config({ grantScopes: 'user:write' });
    const writer = await h.client.login('ada');
    expect((await h.client.api('/users/me/schedulers', writer.access_token)).status).toBe(200);
    expect((await h.client.api('/users/me/schedulers', writer.access_token, 'DELETE')).status).toBe(
      204,
    );
    // Rate-limit labels: Medium for the list, Light for the deletes.
    await h.client.post('/_sandbox/faults', { target: 'api', status: 429, count: 2 });
    const medium = await h.client.api('/users/me/schedulers', writer.access_token);
    expect(medium.headers.get('x-ratelimit-category')).toBe('Medium');
    const light = await h.client.api('/users/me/schedulers/x', writer.access_token, 'DELETE');
    expect(light.headers.get('x-ratelimit-category')).toBe('Light');
  });

  test('another user in the path → 404 1001', async () => {
    const t = await h.client.login('ada');
    const res = await h.client.api(`/users/${GRACE_ID}/schedulers`, t.access_token);
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ code: 1001, message: `User does not exist: ${GRACE_ID}.` });
  });
});

describe('adding assistants (undo)', () => {
  test('201 with comma-joined ids; the per-person setting is kept', async () => {
    const alan = await h.client.login('alan');
    const res = await add(alan.access_token, [
      { email: 'edsger@example.com', can_manage_host_private_event: true },
      { id: 's8B6GIiYc_ipeiU-rzG5GA' },
    ]);
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body['ids']).toBe('gdWykqteabP4hAsOkaQQ6Q,s8B6GIiYc_ipeiU-rzG5GA');
    expect(body['add_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const list = await listOf('/users/me/assistants', alan.access_token, 'assistants');
    expect(list).toEqual([
      {
        id: 'gdWykqteabP4hAsOkaQQ6Q',
        email: 'edsger@example.com',
        can_manage_host_private_event: true,
      },
      {
        id: 's8B6GIiYc_ipeiU-rzG5GA',
        email: 'katherine.assistant@example.com',
        can_manage_host_private_event: false,
      },
    ]);
  });

  test('undo after a clear restores the same list with the same settings', async () => {
    const ada = await h.client.login('ada');
    const before = await listOf('/users/me/assistants', ada.access_token, 'assistants');
    expect((await h.client.api('/users/me/assistants', ada.access_token, 'DELETE')).status).toBe(
      204,
    );
    const undo = await add(
      ada.access_token,
      before.map((a) => ({
        id: a.id,
        can_manage_host_private_event: a.can_manage_host_private_event,
      })),
    );
    expect(undo.status).toBe(201);
    expect(await listOf('/users/me/assistants', ada.access_token, 'assistants')).toEqual(before);
  });

  test("Zoom's refusals: 400 code 200 with Zoom's messages", async () => {
    const ada = await h.client.login('ada');
    const cases: [Json[], string][] = [
      [[{ email: 'nobody@example.com' }], "Can't find user nobody@example.com."],
      [[{ id: 'NoSuchUserId0000000000' }], "Can't find user NoSuchUserId0000000000."],
      [
        [{ email: 'alan.assistant@example.com' }],
        'User alan.assistant@example.com has already granted scheduling privilege.',
      ],
      [
        [{ email: 'edsger@example.com' }, { id: 'gdWykqteabP4hAsOkaQQ6Q' }],
        'User edsger@example.com has already granted scheduling privilege.',
      ],
      [[{ email: 'ada@example.com' }], "Can't assign scheduling privilege to yourself."],
      [
        [{ email: 'barbara.basic@example.com' }],
        'The user must either be a Licensed user or an On-prem user : barbara.basic@example.com.',
      ],
    ];
    for (const [assistants, message] of cases) {
      const res = await add(ada.access_token, assistants);
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({ code: 200, message });
    }
    // One refusal among several: nothing is added.
    const mixed = await add(ada.access_token, [
      { email: 'edsger@example.com' },
      { email: 'niklaus.basic@example.com' },
    ]);
    expect(mixed.status).toBe(400);
    expect(
      emails(await listOf('/users/me/assistants', ada.access_token, 'assistants')),
    ).not.toContain('edsger@example.com');
  });

  test('someone removed from the account since: "Can\'t find user"', async () => {
    const ada = await h.client.login('ada');
    const gone = await h.client.del('/_sandbox/members/grace.assistant@example.com');
    expect(await json(gone)).toEqual({ removed: true });
    // Their links went with them.
    expect(emails(await listOf('/users/me/assistants', ada.access_token, 'assistants'))).toEqual([
      'alan.assistant@example.com',
      'katherine.assistant@example.com',
    ]);
    const res = await add(ada.access_token, [{ id: 'uCvltJ6axW4hFfR0kAqF4g' }]);
    expect(await json(res)).toEqual({
      code: 200,
      message: "Can't find user uCvltJ6axW4hFfR0kAqF4g.",
    });
    expect((await h.client.del('/_sandbox/members/nobody@example.com')).status).toBe(404);
    expect((await h.client.del('/_sandbox/members/ada@example.com')).status).toBe(409);
  });

  test('an unlicensed user, or a free account, cannot add assistants', async () => {
    const member = await h.client.post('/_sandbox/members', { email: 'alan@example.com', type: 1 });
    expect(await json(member)).toMatchObject({ created: false, member: { id: ALAN_ID, type: 1 } });
    const alan = await h.client.login('alan');
    expect(await json(await h.client.api('/users/me', alan.access_token))).toMatchObject({
      type: 1,
    });
    const res = await add(alan.access_token, [{ email: 'edsger@example.com' }]);
    expect(await json(res)).toEqual({
      code: 200,
      message: `The user must either be a Licensed user or an On-prem user : ${ALAN_ID}.`,
    });
    await h.client.config({ paidAccount: false });
    const ada = await h.client.login('ada');
    const free = await add(ada.access_token, [{ email: 'edsger@example.com' }]);
    expect(free.status).toBe(400);
    expect(await json(free)).toEqual({
      code: 200,
      message: `Current account must be paid account: ${ADA_ID}`,
    });
  });

  test('bad bodies, another user, 429 and 5xx', async () => {
    const ada = await h.client.login('ada');
    const tooMany = Array.from({ length: 31 }, (_, i) => ({ email: `p${i}@example.com` }));
    const big = await add(ada.access_token, tooMany);
    expect(big.status).toBe(400);
    expect(await json(big)).toMatchObject({ code: 300, message: 'Validation Failed.' });
    const raw = await fetch(`${h.sb.url}/v2/users/me/assistants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ada.access_token}` },
      body: 'not json',
    });
    expect(await json(raw)).toEqual({
      code: 300,
      message: 'Request Body should be a valid JSON object.',
    });
    const other = await h.client.api(`/users/${GRACE_ID}/assistants`, ada.access_token, 'POST', {
      assistants: [{ email: 'edsger@example.com' }],
    });
    expect(other.status).toBe(404);
    expect(await json(other)).toMatchObject({ code: 1001 });
    await h.client.post('/_sandbox/faults', { target: 'api', status: 429 });
    const limited = await add(ada.access_token, [{ email: 'edsger@example.com' }]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-category')).toBe('Medium');
    await h.client.post('/_sandbox/faults', { target: 'api', status: 503 });
    expect((await add(ada.access_token, [{ email: 'edsger@example.com' }])).status).toBe(503);
    expect((await add(ada.access_token, [{ email: 'edsger@example.com' }])).status).toBe(201);
  });
});

describe('missing scope answer', () => {
  test('default 400 4711; config can ask for 401 and/or 4700', async () => {
    await h.client.config({ grantScopes: 'user:read:user' });
    const t = await h.client.login('ada');
    const dflt = await h.client.api('/users/me/assistants', t.access_token);
    expect(dflt.status).toBe(400);
    expect(await json(dflt)).toMatchObject({ code: 4711 });
    const cfg = await h.client.config({ missingScopeAnswer: { status: 401, code: 4700 } });
    expect(cfg['missingScopeAnswer']).toEqual({ status: 401, code: 4700 });
    const res = await h.client.api('/users/me/assistants', t.access_token, 'DELETE');
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({
      code: 4700,
      message:
        'Invalid access token, does not contain scopes:[user:delete:assistant, user:delete:assistant:admin].',
    });
    await h.client.config({ missingScopeAnswer: { status: 400 } });
    expect((await h.client.api('/users/me/assistants', t.access_token)).status).toBe(400);
    expect((await h.client.stats())['api_missing_scope']).toBe(3);
    const bad = await h.client.post('/_sandbox/config', { missingScopeAnswer: { code: 4712 } });
    expect(bad.status).toBe(400);
  });

  test('a one-off api fault with status and body still answers exactly that', async () => {
    const t = await h.client.login('ada');
    const body = { code: 4711, message: 'Invalid access token, does not contain scopes:[x].' };
    await h.client.post('/_sandbox/faults', { target: 'api', status: 401, body });
    const res = await h.client.api('/users/me/assistants', t.access_token, 'DELETE');
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual(body);
    expect((await h.client.api('/users/me/assistants', t.access_token, 'DELETE')).status).toBe(204);
  });
});

describe('control API for people', () => {
  test('assistants with the per-person setting; remove one elsewhere', async () => {
    const res = await h.client.post('/_sandbox/users/alan/assistants', {
      emails: ['plain@example.com'],
      assistants: [{ email: 'trusted@example.com', can_manage_host_private_event: true }],
    });
    const list = (await json(res))['assistants'] as Person[];
    expect(list.map((a) => [a.email, a.can_manage_host_private_event])).toEqual([
      ['plain@example.com', false],
      ['trusted@example.com', true],
    ]);
    // Given again with a setting: the setting changes, nobody is added twice.
    const again = await h.client.post('/_sandbox/users/alan/assistants', {
      assistants: [{ email: 'trusted@example.com', can_manage_host_private_event: false }],
    });
    expect(
      ((await json(again))['assistants'] as Person[]).map((a) => a.can_manage_host_private_event),
    ).toEqual([false, false]);
    const byEmail = await h.client.del('/_sandbox/users/alan/assistants/plain@example.com');
    expect(await json(byEmail)).toMatchObject({ removed: true });
    const trustedId = list[1]?.id ?? '';
    const byId = await json(await h.client.del(`/_sandbox/users/alan/assistants/${trustedId}`));
    expect(byId).toEqual({ removed: true, assistants: [] });
    expect(await json(await h.client.del('/_sandbox/users/alan/assistants/x@example.com'))).toEqual(
      {
        removed: false,
        assistants: [],
      },
    );
    expect((await h.client.post('/_sandbox/users/alan/assistants', {})).status).toBe(400);
    expect(
      (await h.client.post('/_sandbox/users/alan/assistants', { emails: ['alan@example.com'] }))
        .status,
    ).toBe(400);
  });

  test('schedulers: add (creating members) and remove elsewhere', async () => {
    const res = await h.client.post('/_sandbox/users/alan/schedulers', {
      emails: ['boss@example.com'],
    });
    const [boss] = (await json(res))['schedulers'] as Person[];
    expect(boss).toMatchObject({ email: 'boss@example.com' });
    expect(boss?.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(String(boss?.pmi)).toMatch(/^\d{10}$/);
    const snap = await h.client.get('/_sandbox/users/alan');
    expect(snap['schedulers']).toEqual([boss]);
    const removed = await json(
      await h.client.del('/_sandbox/users/alan/schedulers/boss@example.com'),
    );
    expect(removed).toEqual({ removed: true, schedulers: [] });
    expect(
      (await h.client.post('/_sandbox/users/alan/schedulers', { emails: ['alan@example.com'] }))
        .status,
    ).toBe(400);
    expect(
      (await h.client.post('/_sandbox/users/nobody/schedulers', { emails: ['a@b.c'] })).status,
    ).toBe(404);
  });

  test('members: list, add a Basic one, refuse bad bodies', async () => {
    const list = (await h.client.get('/_sandbox/members'))['members'] as Json[];
    expect(list.find((m) => m['email'] === 'barbara.basic@example.com')).toMatchObject({
      type: 1,
      demo_user: false,
    });
    expect(list.find((m) => m['email'] === 'ada@example.com')).toMatchObject({
      type: 2,
      demo_user: true,
    });
    const created = await json(
      await h.client.post('/_sandbox/members', { email: 'new.basic@example.com', type: 1 }),
    );
    expect(created).toMatchObject({ created: true, member: { type: 1 } });
    const ada = await h.client.login('ada');
    const res = await add(ada.access_token, [{ email: 'new.basic@example.com' }]);
    expect(await json(res)).toMatchObject({
      message:
        'The user must either be a Licensed user or an On-prem user : new.basic@example.com.',
    });
    expect((await h.client.post('/_sandbox/members', { email: 'x' })).status).toBe(400);
    expect((await h.client.post('/_sandbox/members', { email: 'a@b.c', type: 3 })).status).toBe(
      400,
    );
  });
});
