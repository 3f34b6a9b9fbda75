import Redis, { Cluster, Command, type ClusterOptions, type RedisOptions } from 'ioredis';

export interface RedisSettings {
  /** One redis:// or rediss:// URL; on a cluster, a comma-separated list of seed nodes. */
  readonly url: string;
  /** REDIS_CLUSTER=1: the URL(s) are seeds of a Redis Cluster. */
  readonly cluster?: boolean;
  /** Heroku Redis presents self-signed certificates, so verification is opt-in. */
  readonly tlsRejectUnauthorized: boolean;
  /** How long a command may take before the request fails (and the page says 503). */
  readonly commandTimeoutMs?: number;
}

/** One Redis server or a Redis Cluster: the same commands, routed by key on a cluster. */
export type RedisClient = Redis | Cluster;

export const DEFAULT_COMMAND_TIMEOUT_MS = 1_500;

const backoff = (times: number): number => Math.min(50 * 2 ** Math.min(times, 6), 2_000);

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
    retryStrategy: backoff,
    ...(tls ? { tls: { rejectUnauthorized: settings.tlsRejectUnauthorized } } : {}),
  };
}

/** The seed nodes of REDIS_URL on a cluster (each URL may carry its own credentials). */
export function clusterSeeds(url: string): { host: string; port: number }[] {
  return url
    .split(',')
    .map((u) => new URL(u.trim()))
    .map((u) => ({ host: u.hostname, port: Number(u.port || 6379) }));
}

function clusterOptions(settings: RedisSettings, connectionName?: string): ClusterOptions {
  const first = new URL(settings.url.split(',')[0]?.trim() ?? '');
  // The cluster client retries and queues for its nodes (the options below).
  const perNode: RedisOptions = { ...redisOptions(settings, connectionName) };
  delete perNode.retryStrategy;
  delete perNode.enableOfflineQueue;
  delete perNode.enableAutoPipelining;
  return {
    redisOptions: {
      ...perNode,
      username: first.username ? decodeURIComponent(first.username) : undefined,
      password: first.password ? decodeURIComponent(first.password) : undefined,
    },
    enableOfflineQueue: true,
    // Off on a cluster: with it, the failover tests saw MOVED replies surface as errors
    // instead of being followed. Not tried again since the node-retry change below; each
    // command on its own costs Redis some CPU (docs/benchmarks.md), so it is worth a retry.
    enableAutoPipelining: false,
    clusterRetryStrategy: backoff,
    // No clusterNodeRetryStrategy: a node that goes away must leave the pool, so that the next
    // command refreshes the slot map and finds the replica that took over (with a reconnect
    // loop instead, commands kept going to the dead primary for as long as it was dead).
    // Slots move (MOVED/ASK) and primaries fail over: a command tries again for about a
    // second and a half, inside the command timeout, rather than failing at once.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    retryDelayOnMoved: 50,
    slotsRefreshTimeout: 1_000,
    // Managed TLS clusters (ElastiCache) announce nodes by host name: connect by that name,
    // not a resolved address, so the certificate is checked against the name it was made for.
    ...(settings.url.startsWith('rediss://')
      ? { dnsLookup: (address: string, done: (e: null, a: string) => void) => done(null, address) }
      : {}),
  };
}

export function createRedis(settings: RedisSettings, connectionName?: string): RedisClient {
  if (settings.cluster) {
    // Not on a cluster: there a command waits out a failover by design (retryDelayOnFailover),
    // and one node's silence says nothing of the others.
    return new Cluster(clusterSeeds(settings.url), clusterOptions(settings, connectionName));
  }
  const client = new Redis(settings.url, redisOptions(settings, connectionName));
  failFastWhileStalled(client, settings.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  return client;
}

/** How long a command may wait while Redis is taken for stalled (see below). */
export const STALLED_COMMAND_TIMEOUT_MS = 150;

/**
 * Once a command has timed out, Redis is taken for stalled until it answers again (any command,
 * or a PING sent to find out): meanwhile each command waits only STALLED_COMMAND_TIMEOUT_MS.
 * A request whose steps meet a stall one after another thus waits out one full timeout, not
 * one per step, and its page keeps its time budget. A Redis that is only slow still answers
 * the PING, which ends the state.
 */
function failFastWhileStalled(client: Redis, commandTimeoutMs: number): void {
  let stalled = false;
  let probing = false;
  const send = client.sendCommand.bind(client) as (command: Command, ...rest: unknown[]) => unknown;
  const probe = (): void => {
    if (probing) return;
    probing = true;
    // Sent on its own, not auto-pipelined: commands queued behind a running auto-pipeline are
    // not even sent (nor timed) until it completes.
    const ping = new Command('ping');
    send(ping);
    ping.promise.then(
      () => {
        probing = false;
        stalled = false;
      },
      () => {
        probing = false;
        // Still nothing (or the client is closing): look again, unless it was closed.
        if (stalled && client.status !== 'end') setTimeout(probe, commandTimeoutMs).unref();
      },
    );
  };
  client.sendCommand = (command: Command, ...rest: unknown[]): unknown => {
    if (stalled) command.setTimeout(STALLED_COMMAND_TIMEOUT_MS);
    const sent = send(command, ...rest);
    command.promise.then(
      () => {
        stalled = false;
      },
      (err: unknown) => {
        if (err instanceof Error && err.message === 'Command timed out' && !stalled) {
          stalled = true;
          probe();
        }
      },
    );
    return sent;
  };
}

/** The servers holding data: every primary of a cluster, or the one server. */
export async function primariesOf(client: RedisClient): Promise<Redis[]> {
  if (!(client instanceof Cluster)) return [client];
  // Before its first slot map a cluster client knows no node; a command waits for that map.
  if (client.status !== 'ready') await client.ping();
  return client.nodes('master');
}

/** Deletes keys one by one (a multi-key DEL across slots is refused on a cluster). */
export async function deleteEach(client: RedisClient, keys: readonly string[]): Promise<number> {
  const deleted = await Promise.all(keys.map((key) => client.del(key)));
  return deleted.reduce((sum, n) => sum + n, 0);
}
