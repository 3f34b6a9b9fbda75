import { exportHistory, type HistoryExport } from './zoom/use-cases/export-history';
import type { Config } from './config';
import type { RateCounters } from './http/rate-limits';
import type { SessionRecords } from './http/session-store';
import type { Sealer } from './http/session-store';
import type { Logger } from './log';
import { isRedisUnavailable } from './store/availability';
import { RedisCounters } from './store/counters';
import { RecordCipher } from './store/crypto';
import { actionLimitName, RedisKeys } from './store/keys';
import { RedisLock } from './store/lock';
import { RedisActionReplays } from './store/action-replays';
import { RedisSessionRecords } from './store/session-records';
import { LockedSingleFlight } from './store/single-flight';
import { RedisLedger } from './store/ledger';
import { RedisAssistantEnds } from './store/assistant-ends';
import { ReplicaAcks } from './store/replica-acks';
import { SessionIndex } from './store/session-index';
import type { RedisClient } from './store/redis';
import { RedisTokenStore } from './store/token-store';
import type { ActionDescriptor, ActionInput, ActionOutcome } from './zoom/actions/action';
import { ZoomApiClient } from './zoom/api';
import { ZoomOAuthClient } from './zoom/oauth';
import type { GrantRef, Profile } from './zoom/grant';
import { StorageUnavailableError, TokenManager } from './zoom/token-manager';
import { act } from './zoom/use-cases/act';
import { deauthorize, type DeauthorizeOutcome } from './zoom/use-cases/deauthorize';
import { signIn, type SignInOutcome } from './zoom/use-cases/sign-in';
import { viewDashboard, type DashboardView } from './zoom/use-cases/view-dashboard';
import type { ZoomEvent } from './zoom/webhook';

/** The app's parts, built once per process from config and its Redis connections. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly lock: RedisLock;
  readonly oauth: ZoomOAuthClient;
  readonly zoomApi: ZoomApiClient;
  readonly tokenStore: RedisTokenStore;
  readonly tokenManager: TokenManager;
  readonly sessionIndex: SessionIndex;
  readonly history: RedisLedger;
  readonly replays: RedisActionReplays;
  readonly ends: RedisAssistantEnds;
  /** Seals small values to where they belong (a session's one-time message). */
  readonly sealer: RecordCipher;
}

/** What the edge (http/) is given: use-cases and narrow interfaces, never a Redis client. */
export interface AppParts {
  readonly config: Config;
  readonly logger: Logger;
  readonly useCases: UseCases;
  readonly isCurrentGrant: (ref: GrantRef) => Promise<boolean>;
  readonly sessionIndex: {
    readonly register: (userId: string, sessionId: string, expiresAt: number) => Promise<boolean>;
    readonly unregister: (userId: string, sessionId: string) => Promise<void>;
  };
  readonly counters: RateCounters;
  readonly authorizationUrl: ZoomOAuthClient['authorizationUrl'];
  /** Resolves when storage answers (readiness). */
  readonly ping: () => Promise<unknown>;
  /** Storage, not the request, failed: the page says "try again in a minute". */
  readonly isStorageDown: (err: unknown) => boolean;
  /** Sessions' storage, for express-session's store adapter. */
  readonly sessionRecords: SessionRecords;
  /** Seals a session's one-time message, which may name people. */
  readonly sessionSealer: Sealer;
}

export interface UseCases {
  readonly act: (
    action: ActionDescriptor,
    grant: GrantRef,
    input: ActionInput,
  ) => Promise<ActionOutcome>;
  readonly viewDashboard: (grant: GrantRef, now: number) => Promise<DashboardView>;
  readonly exportHistory: (grant: GrantRef, now: number) => Promise<HistoryExport>;
  readonly deauthorize: (
    event: ZoomEvent,
    signedAt: number,
    ageSeconds: number,
  ) => Promise<DeauthorizeOutcome>;
  readonly signIn: (code: string, codeVerifier: string) => Promise<SignInOutcome>;
  /** Who signed in with the grant: kept in the sealed grant, never in the session. */
  readonly profileOf: (grant: GrantRef) => Promise<Profile | null>;
}

export function appParts(services: Services): AppParts {
  const { config, logger, tokenManager, zoomApi, oauth, history, replays, redis, keys, ends } =
    services;
  const counters = new RedisCounters(redis, keys.rateLimitPrefix);
  return {
    config,
    logger,
    isCurrentGrant: (ref) => tokenManager.isCurrent(ref),
    sessionIndex: {
      register: (userId, sid, expiresAt) => services.sessionIndex.register(userId, sid, expiresAt),
      unregister: (userId, sid) => services.sessionIndex.unregister(userId, sid),
    },
    counters: {
      hit: (name, windowMs) => counters.hit(name, windowMs),
      undo: (name) => counters.undo(name),
      reset: (name) => counters.reset(name),
      // The same name as RedisKeys.actionRateLimit, so deleting a user deletes it too.
      userActions: actionLimitName,
    },
    authorizationUrl: (request) => oauth.authorizationUrl(request),
    ping: () => redis.ping(),
    isStorageDown: (err) => isRedisUnavailable(err) || err instanceof StorageUnavailableError,
    sessionRecords: new RedisSessionRecords(redis, keys.sessionPrefix),
    sessionSealer: services.sealer,
    useCases: {
      act: (action, grant, input) =>
        act({ tokenManager, zoomApi, oauth, history, ends, replays, logger }, action, grant, input),
      viewDashboard: (grant, now) =>
        viewDashboard(
          // Longer than any action can take: a list, a delete and a refresh, each up to the timeout.
          { tokenManager, zoomApi, history, ends, pendingSettleMs: 3 * config.zoom.timeoutMs },
          grant,
          now,
        ),
      exportHistory: (grant, now) => exportHistory({ tokenManager, history }, grant, now),
      deauthorize: (event, signedAt, ageSeconds) =>
        deauthorize(
          { tokenManager, clientId: config.zoom.clientId, logger },
          event,
          signedAt,
          ageSeconds,
        ),
      signIn: (code, verifier) => signIn({ oauth, zoomApi, tokenManager, logger }, code, verifier),
      profileOf: (grant) => tokenManager.profileOf(grant),
    },
  };
}

export interface Connections {
  /** Commands. */
  readonly redis: RedisClient;
  /** Pub/sub only (lock releases). */
  readonly subscriber: RedisClient;
}

export function composeServices(
  config: Config,
  connections: Connections,
  logger: Logger,
  hooks: { onRefreshGrant?: (userId: string) => void } = {},
): Services {
  const keys = new RedisKeys(config.redis.keyPrefix);
  const lock = new RedisLock(connections.redis, connections.subscriber, keys.lockReleasedChannel);
  const oauth = new ZoomOAuthClient({ ...config.zoom });
  const zoomApi = new ZoomApiClient({
    apiUrl: config.zoom.apiUrl,
    timeoutMs: config.zoom.timeoutMs,
  });
  const cipher = new RecordCipher(config.tokens.encryptionKeys);
  const store = new RedisTokenStore(
    connections.redis,
    keys,
    cipher,
    config.tokens.recordTtlSeconds,
    new ReplicaAcks(connections.redis, logger),
  );
  const tokenManager = new TokenManager({
    store,
    flight: new LockedSingleFlight(lock, {
      lockTtlMs: config.tokens.lockTtlMs,
      waitMarginMs: 5_000,
      logger,
    }),
    lockKeyFor: (userId) => keys.refreshLock(userId),
    refresher: oauth,
    logger,
    refreshMarginMs: config.tokens.refreshMarginMs,
    refusalCoolDownMs: config.tokens.refusalCoolDownMs,
    onRefreshGrant: hooks.onRefreshGrant,
  });
  const sessionIndex = new SessionIndex(connections.redis, keys);
  return {
    config,
    logger,
    redis: connections.redis,
    keys,
    lock,
    oauth,
    zoomApi,
    tokenStore: store,
    tokenManager,
    sessionIndex,
    history: new RedisLedger(connections.redis, keys, cipher, config.historyDays),
    replays: new RedisActionReplays(connections.redis, keys, cipher),
    ends: new RedisAssistantEnds(connections.redis, keys, cipher),
    sealer: cipher,
  };
}
