import { randomBytes } from 'node:crypto';
import type { Assistant, Scheduler } from './api';
import { newRemoval, type Removal } from './removals';

/**
 * The user's record of who can act for them and for whom they act: Zoom keeps none. Changes
 * made here are written as they happen; changes made anywhere else are found by comparing
 * Zoom's lists, as the dashboard reads them anyway, with the lists as the app saw them last.
 * Pure: storage is the LedgerStore interface.
 */

/** Entries are kept this long by default (`HISTORY_DAYS`); Undo stays 30 days (removals.ts). */
export const DEFAULT_HISTORY_DAYS = 365;

export type Side = 'assistant' | 'scheduler';

export interface Person {
  readonly id: string;
  readonly email: string;
}

/** A change that has no Undo here: someone added (anywhere), a scheduler gone or stepped down from. */
export interface Change {
  readonly kind: 'change';
  readonly id: string;
  /** When it was made here, or when the app noticed it. */
  readonly at: number;
  readonly side: Side;
  readonly change: 'added' | 'removed';
  readonly people: readonly Person[];
  /** Made outside this app, between the view at `from` and the one at `at`; absent when made here. */
  readonly from?: number;
  /** Recorded before Zoom was asked (a step down); dropped if Zoom did nothing. */
  readonly pending?: boolean;
}

/** Every entry: a removal of assistants (with its Undo) or another change. */
export type LedgerEntry = Removal | Change;

export function isRemoval(entry: LedgerEntry): entry is Removal {
  return !('kind' in entry) || entry.kind === undefined;
}

/** Someone on one of the lists as last seen, and since when the app knows of them. */
export interface SeenPerson extends Person {
  /** When the app first saw them; null: already there when the app first looked. */
  readonly since: number | null;
  /** The assistant's setting as last seen: what an Undo of an outside removal puts back. */
  readonly canManagePrivateEvents?: boolean;
}

/** Both of Zoom's lists as the app saw them last. */
export interface SeenLists {
  /** When the view that read them started. */
  readonly at: number;
  /** When the app first looked at all: "before" this for those already there. */
  readonly first: number;
  readonly assistants: readonly SeenPerson[];
  readonly schedulers: readonly SeenPerson[];
}

/** Zoom's lists as this view read them; null where Zoom gave none (compared with nothing). */
export interface ListedNow {
  readonly assistants: readonly Assistant[] | null;
  readonly schedulers: readonly Scheduler[] | null;
}

/** What a read of the ledger gives; `version` and `expired` are the store's, for `noticed`. */
export interface LedgerRead {
  readonly entries: readonly LedgerEntry[];
  readonly seen: SeenLists | null;
  /** The lists as stored (sealed), to write new ones only over them. */
  readonly version: string | null;
  /** Entries past their time, pruned on the next write. */
  readonly expired: readonly string[];
}

/** Zoom's lists hold at most this many people. */
export const MAX_LISTED = 30;

/** Lists that did not change are written again at most this often (the "between" of the next change). */
const SEEN_REFRESH_MS = 60_000;

/** Processes' clocks differ a little: an entry made here this close before a view still explains it. */
const CLOCK_SKEW_MS = 60_000;

export interface Noticed {
  /** Changes made elsewhere, to record. */
  readonly entries: readonly LedgerEntry[];
  /** The lists to remember now; null when nothing differs from what was seen (no write). */
  readonly seen: SeenLists | null;
}

/**
 * What changed outside this app since the lists were last seen. A view that started before
 * the lists were last written compares nothing (a newer view did); a list Zoom did not give
 * compares nothing; a full list (30) never says who beyond it is gone, a full list seen last
 * never says who is new.
 */
export function noticeChanges(
  seen: SeenLists | null,
  listed: ListedNow,
  recorded: readonly LedgerEntry[],
  startedAt: number,
  now: number,
): Noticed {
  if (seen && seen.at > startedAt) return { entries: [], seen: null };
  // The first look needs both lists: one missing then would make all it holds "new" later.
  if (!seen && (!listed.assistants || !listed.schedulers)) return { entries: [], seen: null };
  const first = seen?.first ?? startedAt;
  const entries: LedgerEntry[] = [];
  const sides: Record<Side, readonly SeenPerson[]> = {
    assistant: seen?.assistants ?? [],
    scheduler: seen?.schedulers ?? [],
  };
  for (const side of ['assistant', 'scheduler'] as const) {
    const people = side === 'assistant' ? listed.assistants : listed.schedulers;
    if (!people) continue;
    const before = sides[side];
    const beforeIds = new Map(before.map((p) => [p.id, p]));
    const nowIds = new Set(people.map((p) => p.id));
    // Nothing seen yet: everyone is "already there", nobody is news.
    const added =
      seen && before.length < MAX_LISTED ? people.filter((p) => !beforeIds.has(p.id)) : [];
    const gone = people.length < MAX_LISTED ? before.filter((p) => !nowIds.has(p.id)) : [];
    const madeHere = (p: Person, change: 'added' | 'removed'): boolean =>
      explainedHere(recorded, side, change, p, seen?.at ?? startedAt);
    const since = seen?.at ?? startedAt;
    for (const p of added.filter((a) => !madeHere(a, 'added'))) {
      entries.push(outsideChange(side, 'added', p, since, now));
    }
    for (const p of gone.filter((a) => !madeHere(a, 'removed'))) {
      entries.push(
        side === 'assistant'
          ? { ...newRemoval([asAssistant(p)], now), from: since }
          : outsideChange(side, 'removed', p, since, now),
      );
    }
    sides[side] = nextSeen(before, people, seen ? now : null, people.length >= MAX_LISTED);
  }
  const next: SeenLists = {
    at: startedAt,
    first,
    assistants: sides.assistant,
    schedulers: sides.scheduler,
  };
  const unchanged = seen && sameLists(seen, next) && startedAt - seen.at < SEEN_REFRESH_MS;
  return { entries, seen: unchanged ? null : next };
}

/** An entry made here after the lists were last seen accounts for the difference. */
function explainedHere(
  recorded: readonly LedgerEntry[],
  side: Side,
  change: 'added' | 'removed',
  who: Person,
  seenAt: number,
): boolean {
  const after = seenAt - CLOCK_SKEW_MS;
  return recorded.some((e) => {
    if (isRemoval(e)) {
      if (side !== 'assistant' || !e.assistants.some((a) => samePerson(a, who))) return false;
      if (change === 'removed')
        return e.from === undefined && (e.pending === true || e.at >= after);
      // Put back by an undo: running now, or done since.
      return e.undo.state === 'running' || (e.undo.state === 'done' && e.undo.at >= after);
    }
    return (
      e.from === undefined &&
      e.side === side &&
      e.change === change &&
      (e.pending === true || e.at >= after) &&
      e.people.some((p) => samePerson(p, who))
    );
  });
}

/** By id; an add is recorded before Zoom gives the id, by the email it was asked with. */
function samePerson(a: Person, b: Person): boolean {
  return a.id === b.id || (a.id === '' && a.email.toLowerCase() === b.email.toLowerCase());
}

function outsideChange(
  side: Side,
  change: 'added' | 'removed',
  p: Person,
  from: number,
  at: number,
): Change {
  return { kind: 'change', id: newEntryId(), at, side, change, people: [person(p)], from };
}

/** A change made here, recorded before Zoom is asked. */
export function changeMadeHere(
  side: Side,
  change: 'added' | 'removed',
  people: readonly Person[],
  at: number,
): Change {
  return {
    kind: 'change',
    id: newEntryId(),
    at,
    side,
    change,
    people: people.map(person),
    pending: true,
  };
}

/** A pending change settled from Zoom's list: those it shows as changed; null when none. */
export function settledChange(change: Change, listed: readonly Person[]): Change | null {
  const done = change.people.filter(
    (p) => listed.some((l) => samePerson(p, l)) === (change.change === 'added'),
  );
  return done.length === 0 ? null : { ...change, people: done, pending: undefined };
}

/** The same length and alphabet as a removal's id, so one route pattern names either. */
function newEntryId(): string {
  return randomBytes(12).toString('base64url');
}

function person(p: Person): Person {
  return { id: p.id, email: p.email };
}

function asAssistant(p: SeenPerson): Assistant {
  return { id: p.id, email: p.email, canManagePrivateEvents: p.canManagePrivateEvents ?? false };
}

/** The list to remember: as listed now, each keeping since when; a full list keeps those beyond it. */
function nextSeen(
  before: readonly SeenPerson[],
  people: readonly (Assistant | Scheduler)[],
  noticedAt: number | null,
  full: boolean,
): SeenPerson[] {
  const known = new Map(before.map((p) => [p.id, p]));
  const out: SeenPerson[] = people.map((p) => ({
    id: p.id,
    email: p.email,
    since: known.has(p.id) ? (known.get(p.id)?.since ?? null) : noticedAt,
    ...('canManagePrivateEvents' in p && { canManagePrivateEvents: p.canManagePrivateEvents }),
  }));
  if (full) {
    const listedIds = new Set(people.map((p) => p.id));
    out.push(...before.filter((p) => !listedIds.has(p.id)));
  }
  return out;
}

function sameLists(a: SeenLists, b: SeenLists): boolean {
  const people = (l: readonly SeenPerson[]): string =>
    JSON.stringify(l.map((p) => [p.id, p.email, p.since, p.canManagePrivateEvents ?? null]));
  return (
    a.first === b.first &&
    people(a.assistants) === people(b.assistants) &&
    people(a.schedulers) === people(b.schedulers)
  );
}

/** Since when the app knows of each person listed (by id); null: before the app first looked. */
export function sinceOf(seen: SeenLists | null): ReadonlyMap<string, number | null> {
  const out = new Map<string, number | null>();
  for (const p of [...(seen?.assistants ?? []), ...(seen?.schedulers ?? [])])
    out.set(p.id, p.since);
  return out;
}
