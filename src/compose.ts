import type { RedisClient } from './store/redis';
import type { Config } from './config';
import type { Logger } from './log';
import { RecordCipher } from './store/crypto';
import { RedisKeys } from './store/keys';
import { RedisLock } from './store/lock';
import { RedisRemovalHistory } from './store/removal-history';
import { ReplicaAcks } from './store/replica-acks';
import { SessionIndex } from './store/session-index';
import { RedisTokenStore } from './store/token-store';
import { ZoomApiClient } from './zoom/api';
import { ZoomOAuthClient } from './zoom/oauth';
import { TokenManager } from './zoom/token-manager';

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
  readonly tokens: TokenManager;
  readonly sessionIndex: SessionIndex;
  readonly history: RedisRemovalHistory;
}

export interface Connections {
  /** Commands. */
  readonly redis: RedisClient;
  /** Pub/sub only (lock releases). */
  readonly subscriber: RedisClient;
}

/** A refused refresh that leaves the grant alive is not tried again for this long. */
const REFUSAL_COOL_DOWN_MS = 60_000;

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
  const tokens = new TokenManager({
    store,
    lock,
    lockKeyFor: (userId) => keys.refreshLock(userId),
    refresher: oauth,
    logger,
    refreshMarginMs: config.tokens.refreshMarginMs,
    lockTtlMs: config.tokens.lockTtlMs,
    refreshWaitMarginMs: 5_000,
    refusalCoolDownMs: REFUSAL_COOL_DOWN_MS,
    defaultApiUrl: config.zoom.apiUrl,
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
    tokens,
    sessionIndex,
    history: new RedisRemovalHistory(connections.redis, keys, cipher),
  };
}
