import type { Logger } from '../../log';
import type {
  ActionContext,
  ActionDescriptor,
  ActionInput,
  ActionOutcome,
  ActionReplays,
  UserZoom,
} from '../actions/action';
import type { ZoomApiClient } from '../api';
import { usableZone, type AssistantEnds } from '../ends';
import { classifyFailure } from '../failure';
import type { GrantRef } from '../grant';
import { isIntentId, isRemovalId, isZoomUserId } from '../ids';
import type { ZoomOAuthClient } from '../oauth';
import { OAuthError } from '../oauth-errors';
import { changeMadeHere } from '../ledger';
import { newRemoval, type RemovalHistory } from '../removals';
import { GrantEndedError, ReconnectRequiredError, type TokenManager } from '../token-manager';

export interface ActDeps {
  readonly tokenManager: Pick<
    TokenManager,
    'withAccessToken' | 'accessTokenFor' | 'endGrant' | 'profileOf'
  >;
  readonly zoomApi: ZoomApiClient;
  readonly oauth: Pick<ZoomOAuthClient, 'revoke'>;
  readonly history: RemovalHistory;
  readonly ends: AssistantEnds;
  readonly replays: ActionReplays;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A removal made by an earlier submit is "the same action" for this long. */
const RECENT_MS = 10 * 60_000;
/** How long a second submit waits for the first one's outcome. */
const REPLAY_WAIT_MS = 25_000;
const REPLAY_POLL_MS = 250;

/**
 * Runs one user action for the signed-in grant: checks, Zoom's calls, the record, the outcome.
 * A form submitted again gets the outcome of its first submit.
 */
export async function act(
  deps: ActDeps,
  action: ActionDescriptor,
  grant: GrantRef,
  input: ActionInput,
): Promise<ActionOutcome> {
  if (action.target === 'person' && !isZoomUserId(input.id)) return { kind: 'not_a_target' };
  if (action.target === 'removal' && !isRemovalId(input.id)) {
    return { kind: 'undo_unavailable', why: 'missing' };
  }
  if (action.confirm && !input.confirmed) return { kind: 'not_confirmed' };
  const intent = isIntentId(input.intent) ? input.intent : null;
  if (!intent) return perform(deps, action, grant, input);

  const userId = grant.userId;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const waitUntil = now() + REPLAY_WAIT_MS;
  for (;;) {
    const replay = await deps.replays.claim(userId, intent, now());
    if (replay.kind === 'done') return replay.outcome;
    if (replay.kind === 'claimed') break;
    if (now() > waitUntil) return { kind: 'still_running' };
    await sleep(REPLAY_POLL_MS);
  }
  let outcome: ActionOutcome;
  try {
    outcome = await perform(deps, action, grant, input);
  } catch (err) {
    await deps.replays.release(userId, intent).catch(() => undefined);
    throw err;
  }
  await deps.replays.keep(userId, intent, outcome).catch((err: unknown) => {
    deps.logger.warn({ userId, err: (err as Error).message }, 'outcome not kept for a replay');
  });
  return outcome;
}

async function perform(
  deps: ActDeps,
  action: ActionDescriptor,
  grant: GrantRef,
  input: ActionInput,
): Promise<ActionOutcome> {
  const { logger } = deps;
  const userId = grant.userId;
  try {
    const outcome = await action.run(contextFor(deps, grant, action.records), input);
    logger.info({ userId, action: action.name, outcome: outcome.kind }, 'action done');
    return outcome;
  } catch (err) {
    if (err instanceof GrantEndedError) return { kind: 'grant_ended', reconnect: false };
    if (err instanceof ReconnectRequiredError) {
      logger.warn({ userId }, 'grant refused by Zoom; signed out');
      return { kind: 'grant_ended', reconnect: true };
    }
    const failure = classifyFailure(err);
    if (!failure) throw err;
    if (failure.reason === 'not_found') {
      // 404 code 1001 names the path's user, `me`: the signed-in user is gone at Zoom.
      logger.warn(
        { userId, action: action.name },
        'Zoom says the user does not exist; grant ended',
      );
      await deps.tokenManager.endGrant(userId);
      return { kind: 'grant_ended', reconnect: true };
    }
    logger.warn({ userId, action: action.name, reason: failure.reason }, 'action failed at Zoom');
    return failure.reason === 'missing_scope'
      ? { kind: 'needs_permission' }
      : { kind: 'zoom_refused', failure };
  }
}

function contextFor(
  deps: ActDeps,
  grant: GrantRef,
  records: ActionDescriptor['records'],
): ActionContext {
  const { tokenManager, zoomApi, oauth, logger } = deps;
  const now = deps.now ?? Date.now;
  const userId = grant.userId;
  return {
    grant,
    history: deps.history,
    ends: deps.ends,
    async timeZone() {
      return usableZone((await tokenManager.profileOf(grant))?.timezone);
    },
    logger,
    now,
    removals: {
      async begin(people, at) {
        // The descriptor says how an action is kept: one that keeps no removal cannot start one.
        if (records !== 'removal' && records !== 'undo')
          throw new Error('this action keeps no removal');
        const removal = newRemoval(people, at ?? now(), true);
        // False only when the grant ended: nothing is asked of Zoom for a user who left.
        if (!(await deps.history.add(userId, removal))) throw new GrantEndedError(userId);
        return removal;
      },
      async settle(removal) {
        // Zoom has acted: a failed write leaves it pending, and the next view settles it.
        await deps.history
          .update(userId, { ...removal, pending: undefined })
          .catch((err: unknown) => {
            logger.warn({ userId, err: (err as Error).message }, 'removal left pending');
          });
      },
      drop: (removal) => deps.history.drop(userId, removal.id),
      async recentOf(ids) {
        const since = now() - RECENT_MS;
        const entries = await deps.history.list(userId, now());
        return (
          entries.find(
            (r) =>
              r.from === undefined &&
              r.at >= since &&
              r.undo.state === 'available' &&
              ids.length > 0 &&
              ids.every((id) => r.assistants.some((a) => a.id === id)),
          ) ?? null
        );
      },
    },
    changes: {
      async begin(side, change, people) {
        if (records !== 'change') throw new Error('this action keeps no change');
        const entry = changeMadeHere(side, change, people, now());
        if (!(await deps.history.add(userId, entry))) throw new GrantEndedError(userId);
        return entry;
      },
      async settle(change) {
        // Zoom has acted: a failed write leaves it pending, and the next view settles it.
        await deps.history
          .update(userId, { ...change, pending: undefined })
          .catch((err: unknown) => {
            logger.warn({ userId, err: (err as Error).message }, 'change left pending');
          });
      },
      drop: (change) => deps.history.drop(userId, change.id),
    },
    withZoom: (calls) =>
      tokenManager.withAccessToken(grant, (token) => calls(userZoom(zoomApi, token))),
    async disconnect() {
      let revokedAtZoom = true;
      try {
        await oauth.revoke(await tokenManager.accessTokenFor(grant));
      } catch (err) {
        // This session's grant is already over; a newer one (another tab) is not ours to end.
        if (err instanceof GrantEndedError) throw err;
        // A grant Zoom refuses counts as revoked; anything else may have left it there.
        revokedAtZoom = err instanceof ReconnectRequiredError;
        if (!revokedAtZoom) {
          logger.warn(
            { userId: grant.userId, err: err instanceof OAuthError ? err.message : 'error' },
            'revoke at Zoom failed; deleting local data anyway',
          );
        }
      }
      const ending = await tokenManager.endGrant(grant.userId);
      logger.info(
        { audit: 'disconnect', userId: grant.userId, revokedAtZoom, ending },
        'app disconnected',
      );
      return { revokedAtZoom };
    },
  };
}

function userZoom(api: ZoomApiClient, token: string): UserZoom {
  return {
    listAssistants: () => api.listAssistants(token),
    deleteAssistant: (id) => api.deleteAssistant(token, id),
    deleteAllAssistants: () => api.deleteAllAssistants(token),
    addAssistants: (people) => api.addAssistants(token, people),
    addAssistantByEmail: (email, canManage) => api.addAssistantByEmail(token, email, canManage),
    listSchedulers: () => api.listSchedulers(token),
    deleteScheduler: (id) => api.deleteScheduler(token, id),
    deleteAllSchedulers: () => api.deleteAllSchedulers(token),
  };
}
