import { grantFor } from '../../harness/grants';
import { startStack, type Stack } from '../../harness/stack';
import type { Services } from '../../src/compose';
import type {
  ActionInput,
  ActionName,
  ActionOutcome,
  FormFields,
} from '../../src/zoom/actions/action';
import { actionNamed } from '../../src/zoom/actions/catalog';
import type { GrantRef } from '../../src/zoom/grant';
import { unpaced } from '../../src/zoom/pace';
import { PacedZoom } from '../../src/zoom/paced';
import { newRemoval } from '../../src/zoom/removals';
import { loadConfig } from '../../src/config';
import { RecordCipher } from '../../src/store/crypto';
import { RedisLedger } from '../../src/store/ledger';
import { act } from '../../src/zoom/use-cases/act';
import { carryOutEnds, type EndsReport } from '../../src/zoom/use-cases/carry-out-ends';
import { viewDashboard } from '../../src/zoom/use-cases/view-dashboard';

/**
 * Assistants with an end (issue 25), as use-cases without express: the add, the end's set,
 * change and cancel, and the sweep that carries ends out, against the sandbox over HTTP and a
 * real Redis. Time is injected (`now`), never waited for.
 */

let stack: Stack;
let services: Services;
let grant: GrantRef;
beforeAll(async () => {
  stack = await startStack({ zoomTimeoutMs: 1500 });
  services = stack.app.services;
});
afterAll(async () => {
  await stack.close();
});
beforeEach(async () => {
  await stack.reset();
  grant = await grantFor(services, stack.sandbox.url);
});

const GRACE = 'grace.assistant@example.com';
const EDSGER = 'edsger@example.com';
const HOUR = 3_600_000;
/** The wall clock the tests pretend it is: a Monday, 7 December 2026, 10:00 UTC. */
const T0 = Date.UTC(2026, 11, 7, 10, 0);

const input = (extra: Partial<ActionInput> = {}): ActionInput => ({
  shown: null,
  intent: null,
  confirmed: false,
  shownEmail: null,
  shownCount: null,
  ...extra,
});
const run = (
  name: ActionName,
  extra: Partial<ActionInput> = {},
  as: GrantRef = grant,
): Promise<ActionOutcome> =>
  act({ ...services, now: () => T0 }, actionNamed(name), as, input(extra));
const add = (fields: FormFields, as?: GrantRef): Promise<ActionOutcome> =>
  run('add-assistant', { fields }, as);
const sweep = (now: number): Promise<EndsReport> =>
  carryOutEnds({ ...services, store: services.tokenStore, pace: unpaced, now: () => now });
const dashboard = (as: GrantRef = grant) =>
  viewDashboard({ ...services, pendingSettleMs: 4500 }, as, T0);

async function atZoom(user = 'ada'): Promise<string[]> {
  const snap = await stack.control.get<{ assistants: { email: string }[] }>(`/users/${user}`);
  return snap.assistants.map((p) => p.email).sort();
}

async function idOf(email: string, user = 'ada'): Promise<string> {
  const snap = await stack.control.get<{ assistants: { id: string; email: string }[] }>(
    `/users/${user}`,
  );
  const who = snap.assistants.find((a) => a.email === email);
  if (!who) throw new Error(`${email} is not listed`);
  return who.id;
}

describe('add an assistant', () => {
  it('without an end: added at Zoom, with the setting chosen, verified from its list', async () => {
    const outcome = await add({ email: EDSGER, privateEvents: true });
    expect(outcome).toEqual({
      kind: 'added',
      email: EDSGER,
      endsAt: null,
      timeZone: 'Europe/London',
    });
    const snap = await stack.control.get<{
      assistants: { email: string; can_manage_host_private_event: boolean }[];
    }>('/users/ada');
    expect(snap.assistants).toContainEqual(
      expect.objectContaining({ email: EDSGER, can_manage_host_private_event: true }),
    );
    expect(await services.ends.list(grant.userId)).toEqual([]);
  });

  it('with an end: the end is kept, sealed, for the id Zoom lists', async () => {
    const outcome = await add({ email: EDSGER, endDate: '2026-12-12', endTime: '18:00' });
    const at = Date.UTC(2026, 11, 12, 18, 0); // London is on UTC in December
    expect(outcome).toMatchObject({ kind: 'added', email: EDSGER, endsAt: at });
    expect(await services.ends.list(grant.userId)).toEqual([
      { assistantId: await idOf(EDSGER), email: EDSGER, at },
    ]);
    // Nothing in Redis names the person in the clear.
    const raw = await stack.admin.hgetall(stack.keyNames.ends(grant.userId));
    expect(JSON.stringify(raw)).not.toContain('edsger');
  });

  it.each([
    ['nobody@example.com', 'not_in_account'],
    ['barbara.basic@example.com', 'no_licence'],
    ['ada@example.com', 'is_you'],
    [GRACE, 'already'],
  ])('%s: Zoom’s refusal in words (%s), nothing added', async (email, why) => {
    const before = await atZoom();
    expect(await add({ email })).toEqual({ kind: 'not_added', email, why });
    expect(await atZoom()).toEqual(before);
  });

  it('a token refused after Zoom added them: the retry’s "already" is this add’s own', async () => {
    await stack.control.post('/faults', {
      target: 'api',
      status: 401,
      path: '/v2/users/me/assistants',
      method: 'GET',
      body: { code: 124, message: 'Invalid access token.' },
    });
    const outcome = await add({ email: EDSGER, endDate: '2026-12-12', endTime: '18:00' });
    expect(outcome).toMatchObject({ kind: 'added', email: EDSGER });
    expect(await services.ends.list(grant.userId)).toHaveLength(1);
    expect((await stack.control.stats()).add_assistants).toBe(2);
  });

  it('Zoom’s 201 that adds nobody is not taken for an add', async () => {
    await stack.control.post('/config', { addAssistantsIgnored: true });
    const outcome = await add({ email: EDSGER, endDate: '2026-12-12', endTime: '18:00' });
    expect(outcome).toEqual({ kind: 'not_added', email: EDSGER, why: 'not_listed' });
    expect(await services.ends.list(grant.userId)).toEqual([]);
  });

  it.each([
    [{ email: 'not an email' }, 'email'],
    [{ email: '' }, 'email'],
    [{ email: 'a@b' }, 'email'],
    [{ email: EDSGER, endDate: '2026-12-12' }, 'end_incomplete'],
    [{ email: EDSGER, endDate: '2026-02-31', endTime: '10:00' }, 'end_invalid'],
    [{ email: EDSGER, endDate: '2026-12-07', endTime: '09:59' }, 'end_past'],
  ] as const)('refuses %j before Zoom is asked (%s)', async (fields, problem) => {
    const before = await stack.control.stats();
    expect(await add(fields)).toEqual({
      kind: 'invalid_input',
      problem,
      timeZone: 'Europe/London',
    });
    expect((await stack.control.stats()).add_assistants).toBe(before.add_assistants);
  });
});

describe('set, change, cancel an end', () => {
  it('sets, changes and cancels the end of an assistant the page showed', async () => {
    const id = await idOf(GRACE);
    const set = await run('set-end', { id, fields: { endDate: '2026-12-12', endTime: '18:00' } });
    expect(set).toMatchObject({
      kind: 'end_set',
      email: GRACE,
      endsAt: Date.UTC(2026, 11, 12, 18),
    });
    const changed = await run('set-end', {
      id,
      fields: { endDate: '2026-12-24', endTime: '09:30' },
    });
    expect(changed).toMatchObject({ kind: 'end_set', endsAt: Date.UTC(2026, 11, 24, 9, 30) });
    expect((await services.ends.list(grant.userId)).map((e) => e.at)).toEqual([
      Date.UTC(2026, 11, 24, 9, 30),
    ]);
    expect(await run('set-end', { id, fields: { cancelEnd: true } })).toEqual({
      kind: 'end_cancelled',
      email: GRACE,
    });
    expect(await services.ends.list(grant.userId)).toEqual([]);
  });

  it('an end in the past is refused, and the end kept is unchanged', async () => {
    const id = await idOf(GRACE);
    await run('set-end', { id, fields: { endDate: '2026-12-12', endTime: '18:00' } });
    const past = await run('set-end', { id, fields: { endDate: '2026-12-06', endTime: '18:00' } });
    expect(past).toMatchObject({ kind: 'invalid_input', problem: 'end_past' });
    expect((await services.ends.list(grant.userId)).map((e) => e.at)).toEqual([
      Date.UTC(2026, 11, 12, 18),
    ]);
  });

  it('someone Zoom no longer lists gets no end', async () => {
    const id = await idOf(GRACE);
    await stack.control.delete(`/users/ada/assistants/${GRACE}`);
    const outcome = await run('set-end', {
      id,
      shownEmail: GRACE,
      fields: { endDate: '2026-12-12', endTime: '18:00' },
    });
    expect(outcome).toEqual({ kind: 'nothing_there', email: GRACE });
    expect(await services.ends.list(grant.userId)).toEqual([]);
  });

  it('the time zone is the user’s Zoom one: 09:00 in New York is 14:00 UTC in January', async () => {
    const graceUser = await grantFor(services, stack.sandbox.url, 'grace');
    const outcome = await add(
      { email: EDSGER, endDate: '2027-01-15', endTime: '09:00' },
      graceUser,
    );
    expect(outcome).toMatchObject({
      kind: 'added',
      endsAt: Date.UTC(2027, 0, 15, 14, 0),
      timeZone: 'America/New_York',
    });
    // And in summer time, 13:00 UTC.
    const id = await idOf(EDSGER, 'grace');
    const summer = await run(
      'set-end',
      { id, fields: { endDate: '2027-07-15', endTime: '09:00' } },
      graceUser,
    );
    expect(summer).toMatchObject({ kind: 'end_set', endsAt: Date.UTC(2027, 6, 15, 13, 0) });
  });

  it('an assistant removed before their end loses it; Undo brings them back without one', async () => {
    const id = await idOf(GRACE);
    await run('set-end', { id, fields: { endDate: '2026-12-12', endTime: '18:00' } });
    const removed = await run('remove-assistant', { id });
    if (removed.kind !== 'removed') throw new Error(removed.kind);
    expect(await services.ends.list(grant.userId)).toEqual([]);
    await run('undo-removal', { id: removed.undo });
    expect(await atZoom()).toContain(GRACE);
    expect(await services.ends.list(grant.userId)).toEqual([]);
  });

  it('an assistant removed outside the app loses their end at the next view', async () => {
    const id = await idOf(GRACE);
    await run('set-end', { id, fields: { endDate: '2026-12-12', endTime: '18:00' } });
    await stack.control.delete(`/users/ada/assistants/${GRACE}`);
    const view = await dashboard();
    expect(view.kind === 'ready' && view.ends).toEqual([]);
    expect(await services.ends.list(grant.userId)).toEqual([]);
  });
});

describe('the sweep carries out due ends', () => {
  const END = Date.UTC(2026, 11, 12, 18);
  async function graceEnds(): Promise<string> {
    const id = await idOf(GRACE);
    await run('set-end', { id, fields: { endDate: '2026-12-12', endTime: '18:00' } });
    return id;
  }

  it('nothing early; exactly one removal after, recorded as ended as planned, with Undo', async () => {
    await graceEnds();
    const early = await sweep(END - 1);
    expect(early).toMatchObject({ users: 1, due: 0, removed: 0 });
    expect(await atZoom()).toContain(GRACE);

    const after = await sweep(END);
    expect(after).toMatchObject({ due: 1, removed: 1, failed: 0 });
    expect(await atZoom()).not.toContain(GRACE);
    expect(await services.ends.list(grant.userId)).toEqual([]);
    const history = await services.history.list(grant.userId, END);
    expect(history).toEqual([
      expect.objectContaining({
        cause: 'end',
        assistants: [expect.objectContaining({ email: GRACE })],
        undo: { state: 'available' },
      }),
    ]);
    expect(history[0]?.pending).toBeUndefined();

    // A later run does nothing again.
    expect(await sweep(END + HOUR)).toMatchObject({ due: 0, removed: 0 });
    expect((await stack.control.stats()).delete_assistant).toBe(1);

    // Undo of an ended assistant: back at Zoom, without the end.
    const undone = await run('undo-removal', { id: history[0]?.id ?? '' });
    expect(undone).toMatchObject({
      kind: 'put_back',
      outcomes: [{ email: GRACE, result: 'back' }],
    });
    expect(await atZoom()).toContain(GRACE);
    expect(await services.ends.list(grant.userId)).toEqual([]);
    expect(await sweep(END + 2 * HOUR)).toMatchObject({ removed: 0 });
    expect(await atZoom()).toContain(GRACE);
  });

  it('two overlapping sweeps remove the assistant once', async () => {
    await graceEnds();
    const katherine = await idOf('katherine.assistant@example.com');
    await run('set-end', { id: katherine, fields: { endDate: '2026-12-12', endTime: '17:00' } });
    const [a, b, c] = await Promise.all([sweep(END), sweep(END), sweep(END)]);
    expect(a.removed + b.removed + c.removed).toBe(2);
    expect((await stack.control.stats()).delete_assistant).toBe(2);
    expect(await services.history.list(grant.userId, END)).toHaveLength(2);
    expect(await services.ends.list(grant.userId)).toEqual([]);
  });

  it('a removal recorded while another is being recorded for the same user is not pruned by it', async () => {
    const person = (n: number) => ({
      id: `person${n}`,
      email: `p${n}@example.com`,
      canManagePrivateEvents: false,
    });
    const first = newRemoval([person(1)], END);
    const second = newRemoval([person(2)], END);
    // The second add's first read is answered, then the first add happens, then the second goes on.
    let interleaved = false;
    const redis = new Proxy(stack.admin, {
      get(target, prop, receiver) {
        const real: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'hgetall' || typeof real !== 'function') return real;
        return async (...args: unknown[]) => {
          const read: unknown = await (real as (...a: unknown[]) => Promise<unknown>).apply(
            target,
            args,
          );
          if (!interleaved) {
            interleaved = true;
            await services.history.add(grant.userId, first);
          }
          return read;
        };
      },
    });
    const cipher = new RecordCipher(loadConfig(stack.env).tokens.encryptionKeys);
    const racing = new RedisLedger(redis, stack.keyNames, cipher);
    expect(await racing.add(grant.userId, second)).toBe(true);
    const ids = (await services.history.list(grant.userId, END)).map((r) => r.id);
    expect(ids.sort()).toEqual([first.id, second.id].sort());
  });

  it('a sweep that died holding a claim: others leave the end alone until its lease lapses', async () => {
    const id = await graceEnds();
    const claimed = await services.ends.claim(grant.userId, id, END); // and then it died
    expect(claimed).not.toBeNull();
    expect(await sweep(END + 60_000)).toMatchObject({ due: 1, claimedElsewhere: 1, removed: 0 });
    expect(await atZoom()).toContain(GRACE);
    expect(await sweep(END + 3 * 60_000)).toMatchObject({ removed: 1 });
    expect(await atZoom()).not.toContain(GRACE);
  });

  it('a double-submitted add form adds once and answers both alike', async () => {
    const form = { intent: 'add-form-intent-000001', fields: { email: EDSGER } };
    const [a, b] = await Promise.all([run('add-assistant', form), run('add-assistant', form)]);
    expect(a).toMatchObject({ kind: 'added', email: EDSGER });
    expect(b).toEqual(a);
    expect((await stack.control.stats()).add_assistants).toBe(1);
  });

  it('a removal Zoom refuses is kept as overdue with the reason, and done on the next run', async () => {
    await graceEnds();
    await stack.control.post('/faults', {
      target: 'api',
      status: 503,
      path: `/v2/users/me/assistants/${await idOf(GRACE)}`,
      method: 'DELETE',
    });
    expect(await sweep(END)).toMatchObject({ due: 1, removed: 0, failed: 1 });
    expect(await atZoom()).toContain(GRACE);
    const view = await dashboard();
    expect(view.kind === 'ready' && view.ends).toEqual([
      expect.objectContaining({ email: GRACE, failed: { reason: 'zoom_unavailable', at: END } }),
    ]);
    // Zoom did not answer: the record stays pending (Zoom may have acted), never settled.
    const pending = await services.history.list(grant.userId, END);
    expect(pending.map((r) => r.pending)).toEqual([true]);

    expect(await sweep(END + 10 * 60_000)).toMatchObject({ removed: 1, failed: 0 });
    expect(await atZoom()).not.toContain(GRACE);
    // One removal, one record: the pending one of the run Zoom did not answer went.
    const history = await services.history.list(grant.userId, END + HOUR);
    expect(history.map((r) => [r.cause, r.pending])).toEqual([['end', undefined]]);
  });

  it('Zoom’s daily limit for the account: one refused call, and the account’s other users are not called until 00:00 UTC', async () => {
    await graceEnds();
    // grace (a user of the same Zoom account) has an end too.
    const graces = await grantFor(services, stack.sandbox.url, 'grace');
    const hers = await stack.control.get<{ assistants: { id: string }[] }>('/users/grace');
    const herAssistant = hers.assistants[0]?.id ?? '';
    expect(
      await run(
        'set-end',
        { id: herAssistant, fields: { endDate: '2026-12-12', endTime: '18:00' } },
        graces,
      ),
    ).toMatchObject({ kind: 'end_set' });
    await stack.control.post('/config', { dailyLimits: { Medium: 2000 } });
    await stack.control.post('/daily-usage', { used: { Medium: 2000 } });

    const paced = new PacedZoom({ callsPerSecond: 0, restPerSecondPerAccount: 0 });
    const report = await carryOutEnds({
      ...services,
      store: services.tokenStore,
      pace: paced,
      now: () => END + 24 * HOUR, // both ends have come, whatever grace's time zone
      concurrency: 1,
    });
    expect(report).toMatchObject({ users: 2, due: 2, removed: 0, failed: 2 });
    // Only the first user's list was asked for; the account then rests.
    expect((await stack.control.stats()).api_daily_limited).toBe(1);
    expect(paced.calls.rest).toBe(1);
    for (const who of [grant, graces]) {
      expect(await services.ends.list(who.userId)).toEqual([
        expect.objectContaining({ failed: { reason: 'rate_limited', at: END + 24 * HOUR } }),
      ]);
    }
  });

  it('an end whose grant expired unused is reported, kept, and carried out once the user is back', async () => {
    await graceEnds();
    // What the grant's TTL does: the record goes, the ends key (its own expiry) stays.
    await stack.admin.del(stack.keyNames.grantRecord(grant.userId));
    expect(await sweep(END)).toMatchObject({ due: 1, removed: 0, grantGone: 1 });
    expect(await atZoom()).toContain(GRACE);

    grant = await grantFor(services, stack.sandbox.url);
    const view = await dashboard();
    expect(view.kind === 'ready' && view.ends).toEqual([
      expect.objectContaining({ email: GRACE, failed: { reason: 'grant_gone', at: END } }),
    ]);
    expect(await sweep(END + HOUR)).toMatchObject({ removed: 1, grantGone: 0 });
    expect(await atZoom()).not.toContain(GRACE);
  });

  it('an end on a grant Zoom has ended is reported, and goes with the grant', async () => {
    await graceEnds();
    await stack.control.post('/revoke-grant', { user: 'ada' });
    await stack.control.post('/invalidate-access-tokens', { user: 'ada' });
    expect(await sweep(END)).toMatchObject({ due: 1, removed: 0, grantEnded: 1 });
    expect(await stack.admin.exists(stack.keyNames.ends(grant.userId))).toBe(0);
    expect(await atZoom()).toContain(GRACE);
  });

  it('disconnect deletes the ends with everything else', async () => {
    await graceEnds();
    expect(await run('disconnect', { confirmed: true })).toMatchObject({ kind: 'disconnected' });
    expect(await stack.admin.exists(stack.keyNames.ends(grant.userId))).toBe(0);
    expect(await sweep(END)).toMatchObject({ users: 0, removed: 0 });
  });
});
