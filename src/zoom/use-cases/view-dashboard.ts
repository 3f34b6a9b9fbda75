import type { ActionName } from '../actions/action';
import { ACTIONS, lacksPermission } from '../actions/catalog';
import type { Assistant, Scheduler, ZoomApiClient } from '../api';
import { isZoomApiError } from '../errors';
import { classifyFailure, type ZoomFailure } from '../failure';
import type { GrantRef, Profile } from '../grant';
import {
  MAX_LISTED,
  isRemoval,
  noticeChanges,
  settledChange,
  sinceOf,
  type LedgerEntry,
  type LedgerRead,
  type ListedNow,
} from '../ledger';
import { endsOfListed, type AssistantEnd, type AssistantEnds } from '../ends';
import { settledFrom, type RemovalHistory } from '../removals';
import { GrantEndedError, ReconnectRequiredError, type TokenManager } from '../token-manager';

export interface DashboardDeps {
  readonly tokenManager: Pick<TokenManager, 'withAccessToken' | 'endGrant' | 'profileOf'>;
  readonly zoomApi: Pick<ZoomApiClient, 'listAssistants' | 'listSchedulers'>;
  readonly history: Pick<RemovalHistory, 'read' | 'noticed' | 'update' | 'drop'>;
  readonly ends: Pick<AssistantEnds, 'list' | 'drop'>;
  /** A removal still pending after this long was cut short (a crash, a deploy, a timeout). */
  readonly pendingSettleMs: number;
}

export { MAX_LISTED };

/** One of Zoom's lists, or why Zoom gave none. */
export type Listing<T> =
  | { readonly ok: true; readonly people: readonly T[] }
  | { readonly ok: false; readonly failure: ZoomFailure };

export type DashboardView =
  | {
      readonly kind: 'ready';
      readonly assistants: Listing<Assistant>;
      readonly schedulers: Listing<Scheduler>;
      /** The ledger, newest first; null when storage could not give it. */
      readonly history: readonly LedgerEntry[] | null;
      /** Since when the app knows of each person listed (by id); null: before `knownSince`. */
      readonly since: ReadonlyMap<string, number | null>;
      /** When the app first looked at the user's lists. */
      readonly knownSince: number | null;
      /** The actions this grant's scopes do not allow: the page says so before the click. */
      readonly lacking: readonly ActionName[];
      /** Who is signed in, from the sealed grant; null when it could not be read. */
      readonly profile: Profile | null;
      /** The assistants' ends, soonest first; null when storage could not give them. */
      readonly ends: readonly AssistantEnd[] | null;
    }
  | { readonly kind: 'grant_ended'; readonly reconnect: boolean }
  /** Zoom refused the app's own credentials: no user can be served. */
  | { readonly kind: 'misconfigured' };

/**
 * The dashboard's data: both of Zoom's lists and the ledger, read at once (two Zoom calls);
 * what changed outside the app since the lists were last seen is recorded on the way.
 */
export async function viewDashboard(
  deps: DashboardDeps,
  grant: GrantRef,
  now: number,
): Promise<DashboardView> {
  const [lists, history, endsRead] = await Promise.allSettled([
    // One token for both calls; a 401 on either refreshes once and runs both again.
    deps.tokenManager.withAccessToken(grant, async (t, { scopes, profile }) => {
      const both = await Promise.allSettled([
        deps.zoomApi.listAssistants(t),
        deps.zoomApi.listSchedulers(t),
      ]);
      for (const r of both) {
        if (r.status === 'rejected' && isZoomApiError(r.reason, 'unauthorized')) throw r.reason;
      }
      return {
        both,
        lacking: ACTIONS.filter((a) => lacksPermission(a, scopes)).map((a) => a.name),
        profile,
      };
    }),
    deps.history.read(grant.userId, now),
    deps.ends.list(grant.userId),
  ]);
  const ends = endsRead.status === 'fulfilled' ? endsRead.value : null;
  const ledger = history.status === 'fulfilled' ? history.value : null;
  if (lists.status === 'fulfilled') {
    const [assistants, schedulers] = lists.value.both;
    if ([assistants, schedulers].some(namesMeGone)) {
      await deps.tokenManager.endGrant(grant.userId);
      return { kind: 'grant_ended', reconnect: true };
    }
    const listed = listing(assistants);
    const listedSchedulers = listing(schedulers);
    const listedNow: ListedNow = {
      assistants: listed.ok ? listed.people : null,
      schedulers: listedSchedulers.ok ? listedSchedulers.people : null,
    };
    const settled = ledger ? await settle(deps, grant.userId, ledger, listedNow, now) : null;
    const known = settled ? await notice(deps, grant.userId, settled, listedNow, now) : null;
    return {
      kind: 'ready',
      assistants: listed,
      schedulers: listedSchedulers,
      ...ledgerParts(known),
      lacking: lists.value.lacking,
      profile: lists.value.profile,
      ends:
        ends && listed.ok ? await endsOfListed(deps.ends, grant.userId, ends, listed.people) : ends,
    };
  }
  // Nothing from Zoom at all: the grant, the refresh or storage failed.
  const err: unknown = lists.reason;
  if (err instanceof GrantEndedError) return { kind: 'grant_ended', reconnect: false };
  if (err instanceof ReconnectRequiredError) return { kind: 'grant_ended', reconnect: true };
  const failure = classifyFailure(err);
  if (!failure) throw err;
  if (failure.reason === 'misconfigured') return { kind: 'misconfigured' };
  if (failure.reason === 'not_found') {
    await deps.tokenManager.endGrant(grant.userId);
    return { kind: 'grant_ended', reconnect: true };
  }
  const none = { ok: false, failure } as const;
  // The grant was read but not used (its refresh failed): who it is, read again.
  const profile = await deps.tokenManager.profileOf(grant).catch(() => null);
  return {
    kind: 'ready',
    assistants: none,
    schedulers: none,
    ...ledgerParts(ledger),
    lacking: [],
    profile,
    ends,
  };
}

/** The view's ledger and since-when, or nothing when storage could not give them. */
function ledgerParts(read: LedgerRead | null) {
  return {
    history: read?.entries ?? null,
    since: sinceOf(read?.seen ?? null),
    knownSince: read?.seen?.first ?? null,
  };
}

/** 404 code 1001 names the path's user, `me`: the signed-in user no longer exists at Zoom. */
function namesMeGone(r: PromiseSettledResult<unknown>): boolean {
  return r.status === 'rejected' && isZoomApiError(r.reason, 'not_found');
}

function listing<T>(r: PromiseSettledResult<T[]>): Listing<T> {
  if (r.status === 'fulfilled') return { ok: true, people: r.value };
  const failure = classifyFailure(r.reason);
  if (!failure) throw r.reason;
  return { ok: false, failure };
}

/**
 * Records what changed outside the app since the lists were last seen. Another view that
 * recorded first wins (each change once): its ledger is read again.
 */
async function notice(
  deps: DashboardDeps,
  userId: string,
  ledger: LedgerRead,
  listed: ListedNow,
  now: number,
): Promise<LedgerRead> {
  let found = noticeChanges(ledger.seen, listed, ledger.entries, now, now);
  if (!found.seen) return ledger;
  if (found.entries.length > 0) {
    // The ledger was read beside Zoom's lists, perhaps before an action here recorded what the
    // lists show (it records before asking Zoom): compared again with the ledger as it is now.
    const fresh = await deps.history.read(userId, now).catch(() => null);
    if (!fresh) return ledger;
    ledger = fresh;
    found = noticeChanges(ledger.seen, listed, ledger.entries, now, now);
    if (!found.seen) return ledger;
  }
  // Storage failing here costs nothing: the lists kept are unchanged, the next view notices.
  const written = await deps.history
    .noticed(userId, ledger, found.seen, found.entries)
    .catch(() => false);
  if (written) {
    const entries = [...found.entries, ...ledger.entries].sort((a, b) => b.at - a.at);
    return { ...ledger, entries, seen: found.seen };
  }
  return found.entries.length > 0 ? deps.history.read(userId, now).catch(() => ledger) : ledger;
}

/**
 * Entries recorded before Zoom was asked and left pending (a crash, a deploy, a timeout) are
 * settled from Zoom's lists: what the lists show happened; an entry with nothing left goes.
 */
async function settle(
  deps: DashboardDeps,
  userId: string,
  ledger: LedgerRead,
  listed: ListedNow,
  now: number,
): Promise<LedgerRead> {
  const ids = (people: readonly { id: string }[] | null): ReadonlySet<string> | null =>
    // A full list may hide people beyond Zoom's 30: it cannot say who is gone.
    people && people.length < MAX_LISTED ? new Set(people.map((p) => p.id)) : null;
  const assistantIds = ids(listed.assistants);
  const schedulerIds = ids(listed.schedulers);
  const out: LedgerEntry[] = [];
  for (const entry of ledger.entries) {
    const listedIds = isRemoval(entry) || entry.side === 'assistant' ? assistantIds : schedulerIds;
    if (!entry.pending || now - entry.at < deps.pendingSettleMs || !listedIds) {
      out.push(entry);
      continue;
    }
    const settled = isRemoval(entry)
      ? settledFrom(entry, listedIds)
      : settledChange(
          entry,
          (entry.side === 'assistant' ? listed.assistants : listed.schedulers) ?? [],
        );
    if (settled) {
      await deps.history.update(userId, settled);
      out.push(settled);
    } else {
      await deps.history.drop(userId, entry.id);
    }
  }
  return { ...ledger, entries: out };
}
