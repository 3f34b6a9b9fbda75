import type { Assistant } from '../../src/zoom/api';
import { ZoomApiError } from '../../src/zoom/errors';
import {
  UNDO_CLAIM_MS,
  claimable,
  putBack,
  refusalOf,
  type PutBackOutcome,
} from '../../src/zoom/removals';

const person = (email: string, id = email.split('@')[0] ?? email): Assistant => ({
  id,
  email,
  canManagePrivateEvents: false,
});
const ana = person('ana@example.com', 'AnaId');
const bo = person('bo@example.com', 'BoId');
const cy = person('cy@example.com', 'CyId');

/** A Zoom add call that refuses the named people (by Zoom's 400 code 200 messages). */
function zoomThatRefuses(refusals: Record<string, string>) {
  const calls: string[][] = [];
  const add = (batch: readonly Assistant[]): Promise<void> => {
    calls.push(batch.map((p) => p.email));
    for (const p of batch) {
      const message = refusals[p.email];
      if (message)
        return Promise.reject(
          new ZoomApiError({ kind: 'unexpected', status: 400, code: 200, zoomMessage: message }),
        );
    }
    return Promise.resolve();
  };
  return { add, calls };
}

describe('refusalOf: Zoom’s 400 code 200 messages', () => {
  test.each([
    ["Can't find user ana@example.com.", 'not_in_account'],
    ['User ana@example.com has already granted scheduling privilege.', 'already'],
    ['The user must either be a Licensed user or an On-prem user : ana@example.com.', 'no_licence'],
    ["Can't assign scheduling privilege to yourself.", 'is_you'],
    ['Something new Zoom says.', 'other'],
  ])('%s → %s', (message, reason) => {
    expect(refusalOf(message)).toBe(reason);
  });
});

describe('putBack: as few calls as Zoom allows, an outcome per person', () => {
  test('everyone at once when Zoom agrees', async () => {
    const zoom = zoomThatRefuses({});
    expect(await putBack([ana, bo, cy], zoom.add)).toEqual({
      outcomes: [ana, bo, cy].map((p) => ({ email: p.email, result: 'back' })),
    });
    expect(zoom.calls).toEqual([[ana.email, bo.email, cy.email]]);
  });

  test('a refused person is noted and the others sent again', async () => {
    const zoom = zoomThatRefuses({
      [bo.email]: `Can't find user ${bo.email}.`,
      [cy.email]: `User ${cy.email} has already granted scheduling privilege.`,
    });
    const { outcomes, failure } = await putBack([ana, bo, cy], zoom.add);
    expect(failure).toBeUndefined();
    const expected: PutBackOutcome[] = [
      { email: bo.email, result: 'refused', reason: 'not_in_account' },
      { email: cy.email, result: 'already' },
      { email: ana.email, result: 'back' },
    ];
    expect(outcomes).toEqual(expected);
    expect(zoom.calls).toEqual([
      [ana.email, bo.email, cy.email],
      [ana.email, cy.email],
      [ana.email],
    ]);
  });

  test('a refusal that names the person by id', async () => {
    const zoom = zoomThatRefuses({ [ana.email]: "Can't find user AnaId." });
    const { outcomes } = await putBack([ana, bo], zoom.add);
    expect(outcomes[0]).toEqual({ email: ana.email, result: 'refused', reason: 'not_in_account' });
  });

  test('a refusal naming nobody ends the attempt with it, nothing claimed', async () => {
    const paid = new ZoomApiError({
      kind: 'unexpected',
      status: 400,
      code: 200,
      zoomMessage: 'Current account must be paid account: me',
    });
    const { outcomes, failure } = await putBack([ana, bo], () => Promise.reject(paid));
    expect(outcomes).toEqual([]);
    expect(failure).toBe(paid);
  });

  test('any other answer ends the attempt with it', async () => {
    const limited = new ZoomApiError({ kind: 'rate_limited', status: 429, retryAfterSeconds: 5 });
    expect(await putBack([ana], () => Promise.reject(limited))).toEqual({
      outcomes: [],
      failure: limited,
    });
  });

  test('a refused token is thrown, for the token manager to refresh and call again', async () => {
    const refused = new ZoomApiError({
      kind: 'unauthorized',
      status: 401,
      code: 124,
      zoomMessage: 'Invalid access token.',
    });
    await expect(putBack([ana], () => Promise.reject(refused))).rejects.toBe(refused);
  });

  test('nobody to put back: no call', async () => {
    const zoom = zoomThatRefuses({});
    expect(await putBack([], zoom.add)).toEqual({ outcomes: [] });
    expect(zoom.calls).toEqual([]);
  });
});

describe('claimable', () => {
  const now = 1_000_000;
  test.each([
    [{ state: 'available' as const }, true],
    [{ state: 'running' as const, since: now - 1000 }, false],
    [{ state: 'running' as const, since: now - UNDO_CLAIM_MS - 1 }, true],
    [{ state: 'done' as const, at: now, outcomes: [] }, false],
  ])('%j → %s', (undo, expected) => {
    expect(claimable(undo, now)).toBe(expected);
  });
});
