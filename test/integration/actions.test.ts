import { isRemoval } from '../../src/zoom/ledger';
import { grantFor } from '../../harness/grants';
import { startStack, type Stack } from '../../harness/stack';
import type { Services } from '../../src/compose';
import type { ActionInput, ActionName, ActionOutcome } from '../../src/zoom/actions/action';
import { actionNamed } from '../../src/zoom/actions/catalog';
import type { GrantRef } from '../../src/zoom/grant';
import { act } from '../../src/zoom/use-cases/act';
import { deauthorize } from '../../src/zoom/use-cases/deauthorize';
import { viewDashboard } from '../../src/zoom/use-cases/view-dashboard';

/**
 * The use-cases without express: each action and the dashboard against the sandbox over HTTP
 * and a real Redis, asserting their typed outcomes and what Zoom then holds.
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
const input = (extra: Partial<ActionInput> = {}): ActionInput => ({
  shown: null,
  intent: null,
  confirmed: false,
  shownEmail: null,
  shownCount: null,
  ...extra,
});
/** As the app composes it: pending removals settle after three Zoom timeouts. */
const dashboardDeps = () => ({ ...services, pendingSettleMs: 3 * 1500 });
const run = (name: ActionName, extra: Partial<ActionInput> = {}): Promise<ActionOutcome> =>
  act(services, actionNamed(name), grant, input(extra));

async function atZoom(list: 'assistants' | 'schedulers', user = 'ada'): Promise<string[]> {
  const snap = await stack.control.get<Record<string, { email: string }[]>>(`/users/${user}`);
  return (snap[list] ?? []).map((p) => p.email).sort();
}

/** The ids the dashboard shows now, as its forms carry them. */
async function shown(list: 'assistants' | 'schedulers' = 'assistants'): Promise<string[]> {
  const view = await viewDashboard(dashboardDeps(), grant, Date.now());
  if (view.kind !== 'ready') throw new Error(view.kind);
  const listing = view[list];
  if (!listing.ok) throw new Error('no list');
  return listing.people.map((p) => p.id);
}

async function idOf(email: string): Promise<string> {
  const view = await viewDashboard(dashboardDeps(), grant, Date.now());
  if (view.kind !== 'ready' || !view.assistants.ok) throw new Error('no list');
  const who = view.assistants.people.find((a) => a.email === email);
  if (!who) throw new Error(`${email} is not listed`);
  return who.id;
}

describe('remove one', () => {
  it('removes that person at Zoom and records a removal that undo puts back', async () => {
    const removed = await run('remove-assistant', { id: await idOf(GRACE) });
    if (removed.kind !== 'removed') throw new Error(`got ${removed.kind}`);
    expect(removed.people.map((p) => p.email)).toEqual([GRACE]);
    expect(await atZoom('assistants')).not.toContain(GRACE);

    const undone = await run('undo-removal', { id: removed.undo ?? '' });
    expect(undone).toEqual({
      kind: 'put_back',
      outcomes: [{ email: GRACE, result: 'back' }],
      kept: null,
    });
    expect(await atZoom('assistants')).toContain(GRACE);
    // Undone once: a second undo is told so, and Zoom is not asked again.
    const again = await run('undo-removal', { id: removed.undo ?? '' });
    expect(again).toMatchObject({ kind: 'undo_unavailable', why: 'done' });
  });

  it('someone no longer there is nothing to remove, and nothing is recorded', async () => {
    const id = await idOf(GRACE);
    await stack.control.delete(`/users/ada/assistants/${GRACE}`);
    const outcome = await run('remove-assistant', { id, shownEmail: GRACE });
    expect(outcome).toEqual({ kind: 'nothing_there', email: GRACE });
    const view = await viewDashboard(dashboardDeps(), grant, Date.now());
    // Only what happened outside the app, if this user's lists were seen before.
    const madeHere =
      view.kind === 'ready' ? view.history?.filter((e) => e.from === undefined) : null;
    expect(madeHere).toEqual([]);
  });

  it('an id that names nobody is refused before Zoom is asked', async () => {
    const before = await stack.control.stats();
    expect(await run('remove-assistant', { id: '../users' })).toEqual({ kind: 'not_a_target' });
    expect(await stack.control.stats()).toEqual(before);
  });
});

describe('remove all', () => {
  it('acts only when confirmed', async () => {
    const ids = await shown();
    expect(await run('remove-all-assistants', { shown: ids })).toEqual({ kind: 'not_confirmed' });
    expect(await atZoom('assistants')).toHaveLength(3);
    const removed = await run('remove-all-assistants', { confirmed: true, shown: ids });
    expect(removed).toMatchObject({ kind: 'removed', undo: expect.any(String) as string });
    expect(await atZoom('assistants')).toEqual([]);
  });

  it('acts only on the list the page showed: a changed list removes nobody and says how', async () => {
    const ids = await shown();
    await stack.control.delete(`/users/ada/assistants/${GRACE}`);
    await stack.control.post('/users/ada/assistants', {
      assistants: [{ email: 'margaret.assistant@example.com' }],
    });
    const outcome = await run('remove-all-assistants', { confirmed: true, shown: ids });
    expect(outcome).toEqual({
      kind: 'list_changed',
      added: [expect.objectContaining({ email: 'margaret.assistant@example.com' })],
      goneCount: 1,
    });
    expect(await atZoom('assistants')).toHaveLength(3);
    expect((await stack.control.stats()).delete_assistants).toBe(0);
  });

  it('a second submit of the same form, at the same moment, is the same removal', async () => {
    const form = { confirmed: true, shown: await shown(), intent: 'double-click-intent-0001' };
    const [a, b] = await Promise.all([
      run('remove-all-assistants', form),
      run('remove-all-assistants', form),
    ]);
    expect(a).toMatchObject({ kind: 'removed' });
    expect(b).toEqual(a);
    // And again later (a retried POST): still the first outcome, with its Undo.
    expect(await run('remove-all-assistants', form)).toEqual(a);
    expect((await stack.control.stats()).delete_assistants).toBe(1);
    const view = await viewDashboard(dashboardDeps(), grant, Date.now());
    expect(view.kind === 'ready' && view.history?.length).toBe(1);
  });

  it('from a second tab that showed the same list: the first removal, with its Undo', async () => {
    const ids = await shown();
    const first = await run('remove-all-assistants', { confirmed: true, shown: ids });
    const second = await run('remove-all-assistants', { confirmed: true, shown: ids });
    expect(second).toEqual(first);
  });

  it('is recorded before Zoom is asked: a removal Zoom finishes after the app gave up keeps its Undo', async () => {
    const ids = await shown();
    // Zoom answers later than the app waits (1.5 s), and removes them all the same.
    await stack.control.fault({ target: 'api', method: 'DELETE', delayMs: 2500 });
    const outcome = await run('remove-all-assistants', { confirmed: true, shown: ids });
    expect(outcome).toEqual({ kind: 'zoom_refused', failure: { reason: 'zoom_down' } });
    const removed = async (): Promise<boolean> => (await atZoom('assistants')).length === 0;
    for (let i = 0; i < 100 && !(await removed()); i++)
      await new Promise((r) => setTimeout(r, 100));
    // The next view, once the action can no longer be running, settles it from Zoom's list.
    const later = await viewDashboard(dashboardDeps(), grant, Date.now() + 3 * 1500 + 1);
    if (later.kind !== 'ready' || !later.history) throw new Error('no history');
    expect(later.history).toHaveLength(1);
    expect(later.history[0]?.pending).toBeUndefined();
    const undone = await run('undo-removal', { id: later.history[0]?.id ?? '' });
    expect(undone).toMatchObject({ kind: 'put_back' });
    expect(await atZoom('assistants')).toHaveLength(3);
  });

  it('an undo counts only those Zoom holds again: the others keep their Undo', async () => {
    const removed = await run('remove-all-assistants', { confirmed: true, shown: await shown() });
    if (removed.kind !== 'removed') throw new Error(removed.kind);
    // Katherine left the account meanwhile: Zoom refuses to put her back.
    await stack.control.delete('/members/katherine.assistant@example.com');
    const undone = await run('undo-removal', { id: removed.undo ?? '' });
    if (undone.kind !== 'put_back') throw new Error(undone.kind);
    expect(undone.outcomes).toContainEqual({
      email: 'katherine.assistant@example.com',
      result: 'refused',
      reason: 'not_in_account',
    });
    expect(await atZoom('assistants')).toHaveLength(2);
    const view = await viewDashboard(dashboardDeps(), grant, Date.now());
    const kept =
      view.kind === 'ready'
        ? view.history?.filter(isRemoval).find((r) => r.id === undone.kept)
        : null;
    expect(kept?.undo).toEqual({ state: 'available' });
    expect(kept?.assistants.map((a) => a.email)).toEqual(['katherine.assistant@example.com']);
  });

  it("Zoom's 201 that adds nobody is not believed: the undo re-reads the list", async () => {
    const removed = await run('remove-all-assistants', { confirmed: true, shown: await shown() });
    if (removed.kind !== 'removed') throw new Error(removed.kind);
    await stack.control.post('/config', { addAssistantsIgnored: [GRACE] });
    const undone = await run('undo-removal', { id: removed.undo ?? '' });
    if (undone.kind !== 'put_back') throw new Error(undone.kind);
    expect(undone.outcomes).toContainEqual({ email: GRACE, result: 'not_back' });
    expect(await atZoom('assistants')).toEqual([
      'alan.assistant@example.com',
      'katherine.assistant@example.com',
    ]);
    // Grace keeps her Undo, and it works once Zoom does.
    await stack.control.post('/config', { addAssistantsIgnored: false });
    const again = await run('undo-removal', { id: undone.kept ?? '' });
    expect(again).toMatchObject({ kind: 'put_back', kept: null });
    expect(await atZoom('assistants')).toContain(GRACE);
  });

  it('a batch Zoom refuses with code -1 is put back one person at a time', async () => {
    const removed = await run('remove-all-assistants', { confirmed: true, shown: await shown() });
    if (removed.kind !== 'removed') throw new Error(removed.kind);
    await stack.control.post('/config', { addAssistantsBatchRefused: true });
    const undone = await run('undo-removal', { id: removed.undo ?? '' });
    expect(undone).toMatchObject({ kind: 'put_back', kept: null });
    expect(await atZoom('assistants')).toHaveLength(3);
    expect((await stack.control.stats()).add_assistants_batch_refused).toBe(1);
  });

  it('with nobody there, says so', async () => {
    await run('remove-all-assistants', { confirmed: true, shown: await shown() });
    expect(await run('remove-all-assistants', { confirmed: true, shown: [] })).toEqual({
      kind: 'nothing_there',
      email: null,
    });
  });
});

describe('step down', () => {
  it('one person, then everyone (confirmed)', async () => {
    const view = await viewDashboard(dashboardDeps(), grant, Date.now());
    if (view.kind !== 'ready' || !view.schedulers.ok) throw new Error('no schedulers');
    const [charles] = view.schedulers.people;
    if (!charles) throw new Error('nobody to step down from');
    // It cannot be undone here: asked first.
    const unconfirmed = await run('step-down', { id: charles.id, shownEmail: charles.email });
    expect(unconfirmed).toEqual({ kind: 'not_confirmed' });
    expect(await atZoom('schedulers')).toContain(charles.email);
    const one = await run('step-down', {
      id: charles.id,
      shownEmail: charles.email,
      confirmed: true,
    });
    expect(one).toEqual({ kind: 'stepped_down', email: charles.email, count: 1 });
    expect(await atZoom('schedulers')).not.toContain(charles.email);

    const ids = await shown('schedulers');
    expect(await run('step-down-all', { shown: ids })).toEqual({ kind: 'not_confirmed' });
    const all = await run('step-down-all', { confirmed: true, shown: ids });
    expect(all).toEqual({ kind: 'stepped_down', email: null, count: 1 });
    expect(await atZoom('schedulers')).toEqual([]);
  });
});

describe('failures are outcomes', () => {
  it('Zoom down: zoom_refused, nothing removed', async () => {
    const ids = await shown();
    await stack.control.fault({ target: 'api', status: 503, count: 5 });
    const outcome = await run('remove-all-assistants', { confirmed: true, shown: ids });
    expect(outcome).toEqual({ kind: 'zoom_refused', failure: { reason: 'zoom_down' } });
    await stack.control.clearFaults();
    expect(await atZoom('assistants')).toHaveLength(3);
  });

  it('a grant that ended: grant_ended, and Zoom is not asked', async () => {
    await services.tokenManager.endGrant(grant.userId);
    const before = await stack.control.stats();
    expect(await run('remove-all-assistants', { confirmed: true })).toEqual({
      kind: 'grant_ended',
      reconnect: false,
    });
    expect(await viewDashboard(dashboardDeps(), grant, Date.now())).toEqual({
      kind: 'grant_ended',
      reconnect: false,
    });
    expect(await stack.control.stats()).toEqual(before);
  });

  it('a grant without the scope: needs_permission', async () => {
    await stack.control.post('/config', {
      grantScopes: ['user:read:user', 'user:read:list_assistants'],
    });
    grant = await grantFor(services, stack.sandbox.url);
    const ids = await shown();
    // Said before the click: the dashboard names what the grant cannot do.
    const view = await viewDashboard(dashboardDeps(), grant, Date.now());
    expect(view.kind === 'ready' && view.lacking).toEqual([
      'remove-assistant',
      'remove-all-assistants',
      'undo-removal',
      'step-down',
      'step-down-all',
      'add-assistant',
      'set-end',
    ]);
    expect(await run('remove-all-assistants', { confirmed: true, shown: ids })).toEqual({
      kind: 'needs_permission',
    });
    expect(await atZoom('assistants')).toHaveLength(3);
  });
});

describe('disconnect', () => {
  it('revokes at Zoom and erases the grant; the dashboard then sees it ended', async () => {
    expect(await run('disconnect')).toEqual({ kind: 'not_confirmed' });
    expect(await run('disconnect', { confirmed: true })).toEqual({
      kind: 'disconnected',
      revokedAtZoom: true,
    });
    expect(await services.tokenStore.get(grant.userId)).toBeNull();
  });
});

describe('deauthorization', () => {
  const event = (userId: string, at: number, clientId = stack.credentials.clientId) => ({
    event: 'app_deauthorized',
    eventTs: null,
    payload: {
      user_id: userId,
      client_id: clientId,
      deauthorization_time: new Date(at).toISOString(),
    },
  });
  const deps = () => ({
    tokenManager: services.tokenManager,
    clientId: stack.credentials.clientId,
    logger: services.logger,
  });

  it('erases a grant made before it, keeps one made after, ignores another app', async () => {
    const other = await deauthorize(deps(), event(grant.userId, Date.now(), 'someone-else'), 0, 0);
    expect(other).toEqual({ kind: 'other_app' });
    const late = await deauthorize(deps(), event(grant.userId, Date.now() - 60_000), 0, 0);
    expect(late).toEqual({ kind: 'newer_grant' });
    expect(await services.tokenStore.get(grant.userId)).not.toBeNull();
    const now = await deauthorize(deps(), event(grant.userId, Date.now() + 1), 0, 0);
    expect(now).toEqual({ kind: 'erased' });
    expect(await services.tokenStore.get(grant.userId)).toBeNull();
  });
});

describe('the ledger beside an action', () => {
  it('a removal made here while a view reads the lists is not taken for one made outside', async () => {
    await viewDashboard(dashboardDeps(), grant, Date.now()); // the lists seen
    const id = (await shown())[0] ?? '';
    // The view reads the ledger, then Zoom's lists; the removal runs whole in between.
    const racing = {
      ...dashboardDeps(),
      zoomApi: {
        listSchedulers: (t: string) => services.zoomApi.listSchedulers(t),
        listAssistants: async (t: string) => {
          const removed = await run('remove-assistant', { id });
          expect(removed.kind).toBe('removed');
          return services.zoomApi.listAssistants(t);
        },
      },
    };
    const view = await viewDashboard(racing, grant, Date.now());
    if (view.kind !== 'ready') throw new Error(view.kind);
    const outside = view.history?.filter((e) => e.from !== undefined) ?? [];
    expect(outside).toEqual([]);
    expect(view.history?.filter(isRemoval)).toHaveLength(1);
  });
});
