import Redis, { type RedisOptions } from 'ioredis';

export interface RedisSettings {
  readonly url: string;
  /** Heroku Redis presents self-signed certificates, so verification is opt-in. */
  readonly tlsRejectUnauthorized: boolean;
  /** How long a command may take before the request fails (and the page says 503). */
  readonly commandTimeoutMs?: number;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 1_500;

/**
 * The one place that makes Redis clients, so TLS, timeouts and reconnection are the same for
 * every connection. ioredis's defaults would make a request hang while Redis is away; here a
 * command fails within about two seconds and the client reconnects with a capped backoff.
 */
export function redisOptions(settings: RedisSettings, connectionName?: string): RedisOptions {
  const tls = settings.url.startsWith('rediss://');
  return {
    connectionName,
    lazyConnect: false,
    connectTimeout: 2_000,
    commandTimeout: settings.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    // Keep the offline queue: requests made before the first connect must still run.
    enableOfflineQueue: true,
    // Commands of the same tick (of one request, and of concurrent ones) go in one write.
    enableAutoPipelining: true,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    ...(tls ? { tls: { rejectUnauthorized: settings.tlsRejectUnauthorized } } : {}),
  };
}

export function createRedis(settings: RedisSettings, connectionName?: string): Redis {
  return new Redis(settings.url, redisOptions(settings, connectionName));
}
