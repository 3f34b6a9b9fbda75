import Redis, { type RedisOptions } from 'ioredis';

export interface RedisSettings {
  readonly url: string;
  /** Heroku Redis presents self-signed certificates, so verification is opt-in. */
  readonly tlsRejectUnauthorized: boolean;
  readonly connectionName?: string;
}

/**
 * The one place that makes Redis clients, so TLS, timeouts and reconnection are the same for
 * every connection. ioredis's defaults would make a request hang while Redis is away; here a
 * command fails within about two seconds and the client reconnects with a capped backoff.
 */
export function redisOptions(settings: RedisSettings): RedisOptions {
  const tls = settings.url.startsWith('rediss://');
  return {
    connectionName: settings.connectionName,
    lazyConnect: false,
    connectTimeout: 2_000,
    commandTimeout: 1_500,
    maxRetriesPerRequest: 1,
    // Keep the offline queue: requests made before the first connect must still run.
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    ...(tls ? { tls: { rejectUnauthorized: settings.tlsRejectUnauthorized } } : {}),
  };
}

export function createRedis(settings: RedisSettings): Redis {
  return new Redis(settings.url, redisOptions(settings));
}
