import type { ActionName } from '../actions/action';
import { ACTIONS, lacksPermission } from '../actions/catalog';
import type { Assistant, Scheduler, ZoomApiClient } from '../api';
import { isZoomApiError } from '../errors';
import { classifyFailure, type ZoomFailure } from '../failure';
import type { GrantRef, Profile } from '../grant';
import { endsOfListed, type AssistantEnd, type AssistantEnds } from '../ends';
import { settledFrom, type Removal, type RemovalHistory } from '../removals';
import { GrantEndedError, ReconnectRequiredError, type TokenManager } from '../token-manager';

export interface DashboardDeps {
  readonly tokenManager: Pick<TokenManager, 'withAccessToken' | 'endGrant' | 'profileOf'>;
  readonly zoomApi: Pick<ZoomApiClient, 'listAssistants' | 'listSchedulers'>;
  readonly history: Pick<RemovalHistory, 'list' | 'update' | 'drop'>;
  readonly ends: Pick<AssistantEnds, 'list' | 'drop'>;
  /** A removal still pending after this long was cut short (a crash, a deploy, a timeout). */
  readonly pendingSettleMs: number;
}

/** Zoom's lists hold at most this many people. */
export const MAX_LISTED = 30;

/** One of Zoom's lists, or why Zoom gave none. */
export type Listing<T> =
  | { readonly ok: true; readonly people: readonly T[] }
  | { readonly ok: false; readonly failure: ZoomFailure };

export type DashboardView =
  | {
      readonly kind: 'ready';
      readonly assistants: Listing<Assistant>;
      readonly schedulers: Listing<Scheduler>;
      /** Newest first; null when storage could not give it. */
      readonly history: readonly Removal[] | null;
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

/** The dashboard's data: both of Zoom's lists and the history, read at once (two Zoom calls). */
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
    deps.history.list(grant.userId, now),
    deps.ends.list(grant.userId),
  ]);
  const ends = endsRead.status === 'fulfilled' ? endsRead.value : null;
  const removals = history.status === 'fulfilled' ? history.value : null;
  if (lists.status === 'fulfilled') {
    const [assistants, schedulers] = lists.value.both;
    if ([assistants, schedulers].some(namesMeGone)) {
      await deps.tokenManager.endGrant(grant.userId);
      return { kind: 'grant_ended', reconnect: true };
    }
    const listed = listing(assistants);
    return {
      kind: 'ready',
      assistants: listed,
      schedulers: listing(schedulers),
      history:
        removals && listed.ok
          ? await settle(deps, grant.userId, removals, listed.people, now)
          : removals,
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
    history: removals,
    lacking: [],
    profile,
    ends,
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

/** Pending removals cut short are settled from Zoom's list: who is gone was removed. */
async function settle(
  deps: DashboardDeps,
  userId: string,
  removals: readonly Removal[],
  listed: readonly Assistant[],
  now: number,
): Promise<Removal[]> {
  // A full list may hide people beyond Zoom's 30: it cannot say who is gone.
  if (listed.length >= MAX_LISTED) return [...removals];
  const ids = new Set(listed.map((a) => a.id));
  const out: Removal[] = [];
  for (const removal of removals) {
    if (!removal.pending || now - removal.at < deps.pendingSettleMs) {
      out.push(removal);
      continue;
    }
    const settled = settledFrom(removal, ids);
    if (settled) {
      await deps.history.update(userId, settled);
      out.push(settled);
    } else {
      await deps.history.drop(userId, removal.id);
    }
  }
  return out;
}
