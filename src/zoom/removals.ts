import { randomBytes } from 'node:crypto';
import type { Assistant } from './api';
import { isZoomApiError } from './errors';
import type { LedgerEntry, LedgerRead, SeenLists } from './ledger';

/**
 * A way back: every removal is remembered (who, with which setting) and can be undone once,
 * for 30 days. The steps are pure or take the Zoom call as a function; storage is the
 * RemovalHistory interface, which store/ implements (encrypted, like the tokens).
 */

export const UNDO_DAYS = 30;
export const UNDO_MS = UNDO_DAYS * 24 * 60 * 60 * 1000;
/** An undo that claimed an entry and then vanished (a crash) frees it after this long. */
export const UNDO_CLAIM_MS = 2 * 60 * 1000;

/** Why Zoom would not put someone back, from its 400 code 200 messages. */
export type RefusalReason = 'not_in_account' | 'no_licence' | 'is_you' | 'other';

export type PutBackOutcome =
  | { readonly email: string; readonly result: 'back' }
  /** Zoom answered success, but its list, read again, does not hold them. */
  | { readonly email: string; readonly result: 'not_back' }
  /** Zoom says they already have the privilege: they are back, as wanted. */
  | { readonly email: string; readonly result: 'already' }
  | { readonly email: string; readonly result: 'refused'; readonly reason: RefusalReason };

export type UndoState =
  | { readonly state: 'available' }
  | { readonly state: 'running'; readonly since: number }
  | { readonly state: 'done'; readonly at: number; readonly outcomes: readonly PutBackOutcome[] };

export interface Removal {
  readonly id: string;
  readonly at: number;
  /** Everyone that removal took, as Zoom listed them just before. */
  readonly assistants: readonly Assistant[];
  readonly undo: UndoState;
  /** Recorded before Zoom was asked; settled once Zoom answered, or from its list at the next view. */
  readonly pending?: boolean;
  /** Made outside this app, between the view at `from` and the one at `at` that noticed it. */
  readonly from?: number;
  readonly kind?: undefined;
  /** Why, when not the user's click: `end`, an assistant's end carried out by the sweep. */
  readonly cause?: 'end';
}

export type Claim =
  | { readonly kind: 'claimed'; readonly removal: Removal }
  | { readonly kind: 'done'; readonly removal: Removal }
  | { readonly kind: 'running' }
  | { readonly kind: 'missing' };

/** The storage a history needs: the ledger's entries (see ledger.ts), removals among them. */
export interface RemovalHistory {
  /** The user's removals still kept, newest first. */
  list(userId: string, now: number): Promise<Removal[]>;
  /** Every entry still kept, newest first, and the lists as last seen. */
  read(userId: string, now: number): Promise<LedgerRead>;
  /**
   * Records what a view noticed and the lists it saw, only if the lists kept are still those
   * it read (`read.version`): false when another view was first, or the grant is gone.
   */
  noticed(
    userId: string,
    read: LedgerRead,
    seen: SeenLists,
    entries: readonly LedgerEntry[],
  ): Promise<boolean>;
  /** False when the user's grant is gone (nothing is written for a user who left). */
  add(userId: string, entry: LedgerEntry): Promise<boolean>;
  /**
   * Marks an entry as being undone, atomically (two tabs cannot both claim it): `claimed`
   * with the entry, or why not.
   */
  claim(userId: string, removalId: string, now: number): Promise<Claim>;
  /** Writes the entry's new undo state (done, or available again after a failure). */
  settle(userId: string, removal: Removal, undo: UndoState): Promise<void>;
  /** Rewrites the entry, if it is still there. */
  update(userId: string, entry: LedgerEntry): Promise<void>;
  /** Deletes the entry: a removal recorded before Zoom was asked that did not happen. */
  drop(userId: string, removalId: string): Promise<void>;
}

/**
 * A pending removal settled from Zoom's list: those no longer listed were removed; null when
 * nobody was (then the entry goes).
 */
export function settledFrom(removal: Removal, listedIds: ReadonlySet<string>): Removal | null {
  const gone = removal.assistants.filter((a) => !listedIds.has(a.id));
  if (gone.length === 0) return null;
  return { ...removal, assistants: gone, pending: undefined };
}

/** Marks as not back those Zoom said it added but its list, read again, does not hold. */
export function verifiedAgainst(
  outcomes: readonly PutBackOutcome[],
  people: readonly Assistant[],
  listedIds: ReadonlySet<string>,
): PutBackOutcome[] {
  return outcomes.map((o) => {
    if (o.result === 'refused') return o;
    const who = people.find((p) => p.email === o.email);
    return who && !listedIds.has(who.id) ? { email: o.email, result: 'not_back' } : o;
  });
}

export function newRemoval(assistants: readonly Assistant[], at: number, pending = false): Removal {
  return {
    id: randomBytes(12).toString('base64url'),
    at,
    assistants: [...assistants],
    undo: { state: 'available' },
    ...(pending && { pending: true }),
  };
}

/** Whether `claim` may take the entry now. */
export function claimable(undo: UndoState, now: number): boolean {
  return (
    undo.state === 'available' || (undo.state === 'running' && now - undo.since > UNDO_CLAIM_MS)
  );
}

/** Zoom's refusal of one person, read from its message (400 code 200). */
export function refusalOf(message: string): RefusalReason | 'already' {
  const m = message.toLowerCase();
  if (m.includes('already granted scheduling privilege')) return 'already';
  if (m.includes("can't find user") || m.includes('cannot find user')) return 'not_in_account';
  if (m.includes('licensed user') || m.includes('on-prem user')) return 'no_licence';
  if (m.includes('to yourself')) return 'is_you';
  return 'other';
}

/** Zoom's `code: -1` "Duplicate key null…" on a batch add, seen in 2025 (forum thread 137382). */
function isBatchRefusal(err: unknown): boolean {
  return isZoomApiError(err) && err.status === 400 && err.code === -1;
}

/** After a refused batch: each person alone, once. */
async function putBackOneByOne(
  people: readonly Assistant[],
  add: (batch: readonly Assistant[]) => Promise<void>,
  outcomes: PutBackOutcome[],
): Promise<PutBackResult> {
  for (const person of people) {
    // A refused token throws: the token manager refreshes and runs the undo again, and those
    // already back are then answered "already granted".
    const one = await putBack([person], add);
    outcomes.push(...one.outcomes);
    if (one.failure) return { outcomes, failure: one.failure };
  }
  return { outcomes };
}

/** The person a refusal names (by email, case-insensitive, or by id). */
function namedIn(message: string, people: readonly Assistant[]): Assistant | undefined {
  const m = message.toLowerCase();
  return people.find(
    (p) => (p.email !== '' && m.includes(p.email.toLowerCase())) || m.includes(p.id.toLowerCase()),
  );
}

export interface PutBackResult {
  readonly outcomes: PutBackOutcome[];
  /** Set when the undo stopped before everyone had an outcome (a Zoom error for everyone). */
  readonly failure?: Error;
}

/**
 * Puts the people back with as few calls as Zoom allows: all at once; when Zoom refuses one
 * person (its 400 code 200 names them, and the whole call fails), that person's outcome is
 * noted and the others are sent again. Any other answer ends the attempt with `failure`.
 */
export async function putBack(
  people: readonly Assistant[],
  add: (batch: readonly Assistant[]) => Promise<void>,
): Promise<PutBackResult> {
  const outcomes: PutBackOutcome[] = [];
  let remaining = [...people];
  while (remaining.length > 0) {
    try {
      await add(remaining);
      outcomes.push(...remaining.map((p) => ({ email: p.email, result: 'back' as const })));
      return { outcomes };
    } catch (err) {
      // A refused token is the token manager's to refresh (it calls this again).
      if (isZoomApiError(err, 'unauthorized')) throw err;
      if (remaining.length > 1 && isBatchRefusal(err))
        return putBackOneByOne(remaining, add, outcomes);
      const message =
        isZoomApiError(err) && err.status === 400 && err.code === 200 ? err.zoomMessage : null;
      const who = message ? namedIn(message, remaining) : undefined;
      if (!message || !who) {
        return { outcomes, failure: err instanceof Error ? err : new Error(String(err)) };
      }
      const reason = refusalOf(message);
      outcomes.push(
        reason === 'already'
          ? { email: who.email, result: 'already' }
          : { email: who.email, result: 'refused', reason },
      );
      remaining = remaining.filter((p) => p !== who);
    }
  }
  return { outcomes };
}
