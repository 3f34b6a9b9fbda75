import { historyCsv } from '../../src/http/history';
import {
  changeMadeHere,
  noticeChanges,
  settledChange,
  type LedgerEntry,
  type SeenLists,
} from '../../src/zoom/ledger';
import { newRemoval } from '../../src/zoom/removals';

const T0 = Date.UTC(2026, 11, 3, 9, 12);
const T1 = Date.UTC(2026, 11, 7, 14, 5);
const ana = {
  id: 'ana0000000000000000001',
  email: 'ana@example.com',
  canManagePrivateEvents: true,
};
const bo = { id: 'bo00000000000000000002', email: 'bo@example.com', canManagePrivateEvents: false };
const carol = { id: 'carol00000000000000003', email: 'carol@example.com' };

function seen(over: Partial<SeenLists> = {}): SeenLists {
  return {
    at: T0,
    first: T0,
    assistants: [{ ...bo, since: null }],
    schedulers: [],
    ...over,
  };
}

describe('noticeChanges', () => {
  test('the first look records nobody: everyone is "already there"', () => {
    const found = noticeChanges(null, { assistants: [ana], schedulers: [carol] }, [], T1, T1);
    expect(found.entries).toEqual([]);
    expect(found.seen?.assistants).toEqual([{ ...ana, since: null }]);
    expect(found.seen?.first).toBe(T1);
  });

  test('the first look waits for both lists: one Zoom did not give is not taken as empty', () => {
    const first = noticeChanges(null, { assistants: [ana], schedulers: null }, [], T0, T0);
    expect(first).toEqual({ entries: [], seen: null });
    const both = noticeChanges(null, { assistants: [ana], schedulers: [carol] }, [], T1, T1);
    expect(both.entries).toEqual([]);
    expect(both.seen?.schedulers).toEqual([{ ...carol, since: null }]);
  });

  test('an addition and a removal made elsewhere, each with the window it happened in', () => {
    const found = noticeChanges(seen(), { assistants: [ana], schedulers: [] }, [], T1, T1);
    expect(found.entries).toEqual([
      expect.objectContaining({
        kind: 'change',
        side: 'assistant',
        change: 'added',
        from: T0,
        at: T1,
      }),
      // An outside removal is a removal: Undo puts back the setting last seen.
      expect.objectContaining({ assistants: [bo], from: T0, at: T1, undo: { state: 'available' } }),
    ]);
    expect(found.seen?.assistants).toEqual([{ ...ana, since: T1 }]);
  });

  test('a view that started before the lists were last written compares nothing', () => {
    const found = noticeChanges(
      seen({ at: T1 }),
      { assistants: [], schedulers: [] },
      [],
      T1 - 1,
      T1,
    );
    expect(found).toEqual({ entries: [], seen: null });
  });

  test('a list Zoom did not give compares nothing and keeps what was seen', () => {
    const found = noticeChanges(seen(), { assistants: null, schedulers: [carol] }, [], T1, T1);
    expect(found.entries.map((e) => ('side' in e ? e.side : 'removal'))).toEqual(['scheduler']);
    expect(found.seen?.assistants).toEqual(seen().assistants);
  });

  test('removals, undos and step-downs made here since the last look are not news', () => {
    const removal = { ...newRemoval([bo], T1 - 1000), pending: true };
    const gone = noticeChanges(seen(), { assistants: [], schedulers: [] }, [removal], T1, T1);
    expect(gone.entries).toEqual([]);
    const undone = {
      ...newRemoval([ana], T0 - 5000),
      undo: { state: 'done' as const, at: T1 - 10, outcomes: [] },
    };
    const back = noticeChanges(seen(), { assistants: [bo, ana], schedulers: [] }, [undone], T1, T1);
    expect(back.entries).toEqual([]);
    const stepped = changeMadeHere('scheduler', 'removed', [carol], T1 - 10);
    const down = noticeChanges(
      seen({ schedulers: [{ ...carol, since: null }] }),
      { assistants: [bo], schedulers: [] },
      [stepped],
      T1,
      T1,
    );
    expect(down.entries).toEqual([]);
  });

  test('a removal made here long before the last look explains nothing', () => {
    const old: LedgerEntry = newRemoval([bo], T0 - 10 * 60_000);
    const found = noticeChanges(seen(), { assistants: [], schedulers: [] }, [old], T1, T1);
    expect(found.entries).toHaveLength(1);
  });

  test('full lists: nobody beyond 30 is reported gone, nobody brought into view is reported new', () => {
    const people = Array.from({ length: 30 }, (_, i) => ({
      id: `p${String(i).padStart(21, '0')}`,
      email: `p${i}@example.com`,
      canManagePrivateEvents: false,
    }));
    const before = seen({ assistants: people.map((p) => ({ ...p, since: null })) });
    const moved = [...people.slice(1), { ...ana }];
    const found = noticeChanges(before, { assistants: moved, schedulers: [] }, [], T1, T1);
    expect(found.entries).toEqual([]);
    // The one no longer listed is still remembered.
    expect(found.seen?.assistants).toHaveLength(31);
  });

  test('unchanged lists are not written again within a minute', () => {
    const same = { assistants: [bo], schedulers: [] };
    expect(noticeChanges(seen(), same, [], T0 + 30_000, T0 + 30_000).seen).toBeNull();
    expect(noticeChanges(seen(), same, [], T0 + 61_000, T0 + 61_000).seen?.at).toBe(T0 + 61_000);
  });
});

test('a pending change is settled from the list: who it shows changed', () => {
  const c = changeMadeHere(
    'scheduler',
    'removed',
    [carol, { id: 'x', email: 'x@example.com' }],
    T0,
  );
  const x = { id: 'x', email: 'x@example.com' };
  expect(settledChange(c, [x])).toMatchObject({ people: [carol], pending: undefined });
  expect(settledChange(c, [x, carol])).toBeNull();
  // An add is recorded by email before Zoom gives the id.
  const add = changeMadeHere('assistant', 'added', [{ id: '', email: 'Carol@example.com' }], T0);
  expect(settledChange(add, [carol])?.people).toEqual([{ id: '', email: 'Carol@example.com' }]);
});

test('an add made here, recorded by email, is not news', () => {
  const add = changeMadeHere('assistant', 'added', [{ id: '', email: 'ANA@example.com' }], T1 - 5);
  const found = noticeChanges(seen(), { assistants: [bo, ana], schedulers: [] }, [add], T1, T1);
  expect(found.entries).toEqual([]);
});

describe('historyCsv', () => {
  test('a header, then one row per person, oldest first, in ISO 8601 UTC', () => {
    const removal = {
      ...newRemoval([ana, bo], T1),
      undo: {
        state: 'done' as const,
        at: T1 + 1,
        outcomes: [{ email: ana.email, result: 'back' as const }],
      },
    };
    const outside = {
      ...changeMadeHere('scheduler', 'added', [carol], T0),
      from: T0 - 1,
      pending: undefined,
    };
    expect(historyCsv([removal, outside]).split('\r\n')).toEqual([
      'time_utc,direction,change,email,where,undone',
      '2026-12-03T09:12:00.000Z,scheduler,added,carol@example.com,elsewhere,',
      '2026-12-07T14:05:00.000Z,assistant,removed,ana@example.com,this app,yes',
      '2026-12-07T14:05:00.000Z,assistant,removed,bo@example.com,this app,no',
      '',
    ]);
  });

  test('a cell a spreadsheet would run is plain text, and quoting is RFC 4180', () => {
    const odd = changeMadeHere(
      'assistant',
      'added',
      [{ id: 'i', email: '=HYPERLINK("x",1)@x' }],
      T0,
    );
    const row = historyCsv([odd]).split('\r\n')[1];
    expect(row).toContain(`"'=HYPERLINK(""x"",1)@x"`);
  });
});
