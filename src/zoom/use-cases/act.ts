import type { Logger } from '../../log';
import type {
  ActionContext,
  ActionDescriptor,
  ActionInput,
  ActionOutcome,
  UserZoom,
} from '../actions/action';
import type { Assistant, ZoomApiClient } from '../api';
import { classifyFailure } from '../failure';
import type { GrantRef } from '../grant';
import { isRemovalId, isZoomUserId } from '../ids';
import type { ZoomOAuthClient } from '../oauth';
import { OAuthError } from '../oauth-errors';
import { newRemoval, type RemovalHistory } from '../removals';
import { GrantEndedError, ReconnectRequiredError, type TokenManager } from '../token-manager';

export interface ActDeps {
  readonly tokens: Pick<TokenManager, 'withAccessToken' | 'accessTokenFor' | 'endGrant'>;
  readonly zoomApi: ZoomApiClient;
  readonly oauth: Pick<ZoomOAuthClient, 'revoke'>;
  readonly history: RemovalHistory;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Runs one user action for the signed-in grant: checks, Zoom's calls, the record, the outcome. */
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

  const { logger } = deps;
  const userId = grant.userId;
  try {
    const effect = await action.run(contextFor(deps, grant), input);
    if (effect.kind !== 'took') {
      logger.info({ userId, action: action.name, outcome: effect.kind }, 'action done');
      return effect;
    }
    logger.info({ userId, action: action.name, count: effect.people.length }, 'assistants removed');
    return action.records === 'removal'
      ? await record(deps, userId, effect.people)
      : { kind: 'removed', people: effect.people, undo: null, recordFailed: false };
  } catch (err) {
    if (err instanceof GrantEndedError) return { kind: 'grant_ended', reconnect: false };
    if (err instanceof ReconnectRequiredError) {
      logger.warn({ userId }, 'grant refused by Zoom; signed out');
      return { kind: 'grant_ended', reconnect: true };
    }
    const failure = classifyFailure(err);
    if (!failure) throw err;
    logger.warn({ userId, action: action.name, reason: failure.reason }, 'action failed at Zoom');
    return failure.reason === 'missing_scope'
      ? { kind: 'needs_permission' }
      : { kind: 'zoom_refused', failure };
  }
}

/** Remembers a removal Zoom has done, for its Undo; storage failing now cannot undo the removal. */
async function record(
  deps: ActDeps,
  userId: string,
  people: readonly Assistant[],
): Promise<ActionOutcome> {
  const removal = newRemoval(people, (deps.now ?? Date.now)());
  try {
    // False only when the grant ended meanwhile: the session ends with it, so no Undo.
    const kept = await deps.history.add(userId, removal);
    return { kind: 'removed', people, undo: kept ? removal.id : null, recordFailed: false };
  } catch (err) {
    deps.logger.error({ userId, err: (err as Error).message }, 'removal not recorded');
    return { kind: 'removed', people, undo: null, recordFailed: true };
  }
}

function contextFor(deps: ActDeps, grant: GrantRef): ActionContext {
  const { tokens, zoomApi, oauth, logger } = deps;
  return {
    grant,
    history: deps.history,
    logger,
    now: deps.now ?? Date.now,
    withZoom: (calls) => tokens.withAccessToken(grant, (token) => calls(userZoom(zoomApi, token))),
    async disconnect() {
      let revokedAtZoom = true;
      try {
        await oauth.revoke(await tokens.accessTokenFor(grant));
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
      const ending = await tokens.endGrant(grant.userId);
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
    listSchedulers: () => api.listSchedulers(token),
    deleteScheduler: (id) => api.deleteScheduler(token, id),
    deleteAllSchedulers: () => api.deleteAllSchedulers(token),
  };
}
