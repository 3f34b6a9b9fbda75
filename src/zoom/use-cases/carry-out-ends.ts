import { steadyPool } from './steady-pool';
import type { Logger } from '../../log';
import type { Assistant, ZoomApiClient } from '../api';
import { dueEnds, type AssistantEnds, type ClaimedEnd, type EndFailure } from '../ends';
import { isZoomApiError } from '../errors';
import { classifyFailure } from '../failure';
import { UnreadableTokenRecordError, type TokenStore } from '../grant';
import { AccountRestingError, type ZoomPace } from '../pace';
import { newRemoval, type Removal, type RemovalHistory } from '../removals';
import { GrantEndedError, ReconnectRequiredError, type TokenManager } from '../token-manager';

/**
 * The sweep's first job: every assistant whose end has come is removed at Zoom, once. Each due
 * end is claimed in Redis first (compare-and-set with a lease), so overlapping sweeps never both
 * act on it; the removal is recorded in the History before Zoom is asked, as a user's is, with
 * `cause: 'end'` and its Undo. Calls go through the token manager's single flight, as a
 * request's do, and wait their turn on the ZoomPace, each REST call by the user's Zoom account.
 */

export interface EndsReport {
  /** Users with ends seen. */
  users: number;
  /** Ends due now. */
  due: number;
  /** Removed at Zoom, recorded with Undo. */
  removed: number;
  /** No longer an assistant (removed outside the app): the end is moot and dropped. */
  alreadyGone: number;
  /** Claimed by an overlapping sweep (or changed meanwhile): left to it. */
  claimedElsewhere: number;
  /** Failed this time; kept, shown as overdue with the reason, tried on the next run. */
  failed: number;
  /** The grant had expired unused: kept, tried again once the user signs in. */
  grantGone: number;
  /** Zoom ended the grant (refused it, the user is gone): everything of the user was erased. */
  grantEnded: number;
  stoppedEarly: string | null;
}

export interface CarryOutDeps {
  readonly ends: AssistantEnds;
  readonly store: Pick<TokenStore, 'get'>;
  readonly tokenManager: Pick<TokenManager, 'withAccessToken' | 'endGrant'>;
  readonly zoomApi: Pick<ZoomApiClient, 'listAssistants' | 'deleteAssistant'>;
  readonly history: Pick<RemovalHistory, 'list' | 'add' | 'update' | 'drop'>;
  readonly pace: ZoomPace;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Users served at once (a steady pool, as the idle-grant check's); default one. */
  readonly concurrency?: number;
}

/** Zoom's lists hold at most this many: someone not in a full list may still be there. */
const FULL_LIST = 30;

class StopEnds extends Error {}

type Attempt = 'removed' | 'gone';

export async function carryOutEnds(deps: CarryOutDeps): Promise<EndsReport> {
  const now = deps.now ?? Date.now;
  const report: EndsReport = {
    users: 0,
    due: 0,
    removed: 0,
    alreadyGone: 0,
    claimedElsewhere: 0,
    failed: 0,
    grantGone: 0,
    grantEnded: 0,
    stoppedEarly: null,
  };
  try {
    // SCAN may return a key twice; a user's ends are claimed one by one, so twice is harmless.
    await steadyPool(deps.ends.userIdPages(), deps.concurrency ?? 1, async (userId) => {
      report.users++;
      await forUser(deps, userId, now, report);
    });
  } catch (err) {
    if (!(err instanceof StopEnds)) throw err;
    report.stoppedEarly = err.message;
  }
  return report;
}

async function forUser(
  deps: CarryOutDeps,
  userId: string,
  now: () => number,
  report: EndsReport,
): Promise<void> {
  const due = dueEnds(await deps.ends.list(userId), now());
  if (due.length === 0) return;
  report.due += due.length;
  let record;
  try {
    record = await deps.store.get(userId);
  } catch (err) {
    if (!(err instanceof UnreadableTokenRecordError)) throw err;
    record = null;
  }
  for (const end of due) {
    const claimed = await deps.ends.claim(userId, end.assistantId, now());
    if (!claimed) {
      report.claimedElsewhere++;
      continue;
    }
    if (!record) {
      // The grant expired unused (its erase would have taken the ends): kept until the user
      // signs in again, or until the ends key's own expiry.
      await deps.ends.fail(claimed, 'grant_gone', now());
      report.grantGone++;
      deps.logger.warn({ userId }, 'ends: due end of a grant that has expired; kept');
      continue;
    }
    const grant = { userId, grantId: record.grantId };
    const accountId = record.profile?.accountId;
    let attempt: Attempt;
    try {
      attempt = await deps.tokenManager.withAccessToken(grant, (token) =>
        removeAtZoom(deps, claimed, token, accountId, now),
      );
    } catch (err) {
      const outcome = await failed(deps, claimed, err, accountId, now);
      if (outcome === 'grant_ended') {
        report.grantEnded++;
        return; // everything of the user is gone, the other ends with it
      }
      report.failed++;
      continue;
    }
    await deps.ends.finish(claimed);
    if (attempt === 'removed') report.removed++;
    else report.alreadyGone++;
    deps.logger.info({ userId, outcome: attempt }, 'ends: end carried out');
  }
}

/** Lists, records, removes: the same order as a user's Remove (recorded before Zoom is asked). */
async function removeAtZoom(
  deps: CarryOutDeps,
  claimed: ClaimedEnd,
  token: string,
  accountId: string | undefined,
  now: () => number,
): Promise<Attempt> {
  const { userId, end } = claimed;
  await deps.pace.acquire('rest', accountId);
  const listed = await deps.zoomApi.listAssistants(token);
  let who: Assistant | undefined = listed.find((a) => a.id === end.assistantId);
  if (!who) {
    if (listed.length < FULL_LIST) return 'gone';
    // Beyond Zoom's 30: removed by id, put back by Undo without the private-events setting.
    who = { id: end.assistantId, email: end.email, canManagePrivateEvents: false };
  }
  // An earlier run's record whose removal Zoom did not answer: they are still listed, so it
  // did not happen; one record per removal.
  const stale = (await deps.history.list(userId, now())).filter(
    (r) => r.pending && r.cause === 'end' && r.assistants.some((a) => a.id === end.assistantId),
  );
  for (const r of stale) await deps.history.drop(userId, r.id);
  // The turn comes before the record: a wait (or a resting account) leaves nothing pending.
  await deps.pace.acquire('rest', accountId);
  const removal: Removal = { ...newRemoval([who], now(), true), cause: 'end' };
  if (!(await deps.history.add(userId, removal))) throw new GrantEndedError(userId);
  try {
    await deps.zoomApi.deleteAssistant(token, end.assistantId);
  } catch (err) {
    // Nothing known to have happened at Zoom: the record goes (a timeout keeps it pending).
    if (isZoomApiError(err) && err.kind !== 'unavailable')
      await deps.history.drop(userId, removal.id);
    throw err;
  }
  await deps.history.update(userId, { ...removal, pending: undefined }).catch((err: unknown) => {
    deps.logger.warn({ userId, err: (err as Error).message }, 'ends: removal left pending');
  });
  return 'removed';
}

/** What a failed attempt means: the end kept with why, or the grant ended (all erased). */
async function failed(
  deps: CarryOutDeps,
  claimed: ClaimedEnd,
  err: unknown,
  accountId: string | undefined,
  now: () => number,
): Promise<'kept' | 'grant_ended'> {
  const { userId } = claimed;
  if (err instanceof GrantEndedError || err instanceof ReconnectRequiredError) {
    deps.logger.warn({ userId }, 'ends: the grant ended; its ends were deleted with it');
    return 'grant_ended';
  }
  if (err instanceof AccountRestingError) {
    // Zoom was not asked: the account's daily limit was spent earlier in this run.
    await deps.ends.fail(claimed, 'rate_limited', now());
    return 'kept';
  }
  const failure = classifyFailure(err);
  if (!failure) throw err; // storage: the run cannot go on
  if (failure.reason === 'rate_limited' && isZoomApiError(err) && accountId !== undefined) {
    // The account's other users wait too: the limit is the account's, not the user's.
    deps.pace.rateLimited('rest', failure, accountId);
  }
  if (failure.reason === 'misconfigured') {
    await deps.ends.fail(claimed, 'zoom_unavailable', now());
    throw new StopEnds('Zoom refused the app’s credentials');
  }
  if (failure.reason === 'not_found') {
    // 404 code 1001 names `me`: the user no longer exists at Zoom.
    await deps.tokenManager.endGrant(userId);
    deps.logger.warn({ userId }, 'ends: the user no longer exists at Zoom; grant ended');
    return 'grant_ended';
  }
  const reason: EndFailure =
    failure.reason === 'missing_scope'
      ? 'needs_permission'
      : failure.reason === 'refresh_refused' || failure.reason === 'access_refused'
        ? 'access_refused'
        : failure.reason === 'rate_limited'
          ? 'rate_limited'
          : failure.reason === 'zoom_down' || failure.reason === 'unreadable'
            ? 'zoom_unavailable'
            : 'zoom_refused';
  await deps.ends.fail(claimed, reason, now());
  deps.logger.warn({ userId, reason }, 'ends: end not carried out; tried again next run');
  return 'kept';
}

/** Whether the run did its job: every due end carried out or left to another sweep. */
export function endsCompleted(report: EndsReport): boolean {
  return report.stoppedEarly === null && report.failed === 0;
}
