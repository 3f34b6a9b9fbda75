/**
 * Assistants with an end: the moment the app takes the privilege back. Zoom's privilege has no
 * end date, so the app keeps one per assistant (sealed, per user, deleted with the grant) and
 * `npm run sweep` removes each assistant whose end has come. Storage is the AssistantEnds
 * interface, which store/ implements.
 */

/** Why the sweep could not carry out an end that is due (it tries again on the next run). */
export type EndFailure =
  /** Zoom refused the removal (an error other than those below). */
  | 'zoom_refused'
  /** Zoom did not answer, or limited the rate: nothing is known to have happened. */
  | 'zoom_unavailable'
  /** Zoom's rate limit for the user's account (shared with every app it uses) was reached. */
  | 'rate_limited'
  /** The grant lacks the permission to remove assistants (reconnect to grant it). */
  | 'needs_permission'
  /** The app's access could not be used just now (a refused renewal Zoom did not call final). */
  | 'access_refused'
  /** The grant had expired unused: carried out once the user signs in again. */
  | 'grant_gone';

export interface AssistantEnd {
  readonly assistantId: string;
  /** For words only (the dashboard, the history); never sent to Zoom. */
  readonly email: string;
  /** Epoch ms. */
  readonly at: number;
  /** The last attempt that failed, if one did. */
  readonly failed?: { readonly reason: EndFailure; readonly at: number };
}

/** A due end taken by one sweep: no other sweep may act on it until it is settled or lapses. */
export interface ClaimedEnd {
  readonly userId: string;
  readonly end: AssistantEnd;
  /** The stored value the claim wrote: settling compares against it. */
  readonly token: string;
}

/** A claim lapses after this long (a sweep that died mid-way): longer than any removal takes. */
export const END_CLAIM_MS = 2 * 60_000;

export interface AssistantEnds {
  /** The user's ends, soonest first. */
  list(userId: string): Promise<AssistantEnd[]>;
  /** Sets or changes one end; false when the user's grant is gone (nothing is written). */
  set(userId: string, end: AssistantEnd): Promise<boolean>;
  /** Drops these assistants' ends (removed before their end, or cancelled). */
  drop(userId: string, assistantIds: readonly string[]): Promise<void>;
  /**
   * Takes one end that is due, atomically: null when it is not due, gone, changed since it was
   * read, or claimed by another sweep whose claim has not lapsed.
   */
  claim(userId: string, assistantId: string, now: number): Promise<ClaimedEnd | null>;
  /** The end was carried out (or is moot): deleted, only if still as claimed. */
  finish(claimed: ClaimedEnd): Promise<void>;
  /** The attempt failed: kept, unclaimed, with why (only if still as claimed). */
  fail(claimed: ClaimedEnd, reason: EndFailure, now: number): Promise<void>;
  /** Pages of the ids of users who have ends (SCAN: never all at once). */
  userIdPages(): AsyncIterable<readonly string[]>;
}

/** Ends whose time has come, soonest first. */
export function dueEnds(ends: readonly AssistantEnd[], now: number): AssistantEnd[] {
  return ends.filter((e) => e.at <= now).sort((a, b) => a.at - b.at);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

// Making a formatter costs far more than using one: one per zone (a zone Intl lacks: null).
const clocks = new Map<string, Intl.DateTimeFormat | null>();

function wallClockFormat(zone: string): Intl.DateTimeFormat | null {
  let f = clocks.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    if (clocks.size >= 1000) clocks.clear();
    clocks.set(zone, f);
  }
  return f;
}

/** The offset of `zone` from UTC at `at`, in ms (positive east of Greenwich). */
function offsetAt(at: number, zone: string): number {
  const parts = wallClockFormat(zone)?.formatToParts(at) ?? [];
  const p = Object.fromEntries(parts.map((x) => [x.type, Number(x.value)]));
  const asUtc = Date.UTC(
    p.year ?? 0,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** A zone Intl knows, else UTC (a profile without one, or one this runtime lacks). */
export function usableZone(zone: string | null | undefined): string {
  return zone && wallClockFormat(zone) ? zone : 'UTC';
}

/**
 * The moment a wall-clock date (`YYYY-MM-DD`) and time (`HH:MM`) name in `zone`, or null when
 * they name no day or time. A time skipped by a clock change (02:30 on a spring-forward night)
 * is the moment an hour on (03:30), as a clock would read it.
 */
export function instantIn(date: string, time: string, zone: string): number | null {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) return null;
  const [y, mo, da, h, mi] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (h > 23 || mi > 59) return null;
  const wall = Date.UTC(y, mo - 1, da, h, mi);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== da) {
    return null; // 31 February and the like
  }
  // Twice: the offset at the guess may be the other side of a clock change.
  const first = wall - offsetAt(wall, zone);
  return wall - offsetAt(first, zone);
}

/** The date and time inputs' values for `at` in `zone` (what the form shows). */
export function wallClockIn(at: number, zone: string): { date: string; time: string } {
  const local = new Date(at + offsetAt(at, zone));
  const iso = local.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** Zoom's lists hold at most this many people: a full one cannot say who is gone. */
const FULL_LIST = 30;

/**
 * The ends of those Zoom still lists; the ends of assistants removed meanwhile (outside the
 * app, or by an undo's entry elsewhere) are dropped.
 */
export async function endsOfListed(
  ends: Pick<AssistantEnds, 'drop'>,
  userId: string,
  kept: readonly AssistantEnd[],
  listed: readonly { readonly id: string }[],
): Promise<AssistantEnd[]> {
  if (listed.length >= FULL_LIST) return [...kept];
  const ids = new Set(listed.map((a) => a.id));
  const gone = kept.filter((e) => !ids.has(e.assistantId)).map((e) => e.assistantId);
  if (gone.length > 0) await ends.drop(userId, gone).catch(() => undefined);
  return kept.filter((e) => ids.has(e.assistantId));
}
