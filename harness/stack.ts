import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../src/app';
import { createHttpServer } from '../src/server';
import { appParts, composeServices, type Services } from '../src/compose';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { createRedis, deleteEach, primariesOf, type RedisClient } from '../src/store/redis';
import { newCredentials, sandboxedAppEnv, type SandboxCredentials } from './app-env';
import type { RedisTokenStore } from '../src/store/token-store';
import type { RedisKeys } from '../src/store/keys';
import { ROOT } from './processes';
import { SandboxControl, startSandboxFor, type RunningSandbox } from './sandbox';
import { tokenStoreFor } from './grant-records';

/**
 * For tests: the whole product on real sockets in this process — the Zoom sandbox, and one or
 * more app instances on one real Redis, each with its own connections as separate processes
 * would have. Each stack uses its own key prefix, so test files can share a redis-server.
 */

export interface AppInstance {
  readonly url: string;
  readonly services: Services;
  readonly connections: { redis: RedisClient; subscriber: RedisClient };
  /** The express application serving it (the fuzz reads its route table). */
  readonly handler: ReturnType<typeof createApp>;
  /** Refresh grants this instance sent to Zoom. */
  refreshGrants: number;
  close(): Promise<void>;
}

export interface StackOptions {
  instances?: number;
  accessTokenTtlSeconds?: number;
  refreshMarginSeconds?: number;
  zoomTimeoutMs?: number;
  env?: Record<string, string>;
  /** Another Redis than the shared test server (outage tests stop and restart their own). */
  redisUrl?: string;
  /** `redisUrl` lists the seed nodes of a Redis Cluster (REDIS_CLUSTER=1). */
  cluster?: boolean;
  /** Capture every log line (at this level) into `logLines`. */
  logLevel?: string;
}

export interface Stack {
  readonly sandbox: RunningSandbox;
  readonly control: SandboxControl;
  readonly credentials: SandboxCredentials;
  readonly apps: AppInstance[];
  readonly app: AppInstance;
  readonly admin: RedisClient;
  /** The app's key names (this stack's prefix). */
  readonly keyNames: RedisKeys;
  readonly prefix: string;
  readonly logLines: string[];
  readonly env: Record<string, string>;
  /** The app's token records, opened with this stack's key (on the admin connection). */
  readonly tokenStore: RedisTokenStore;
  /** A new app instance on the same Redis and sandbox (e.g. "after a restart"). */
  addInstance(): Promise<AppInstance>;
  /** Every key of this stack's prefix. */
  keys(): Promise<string[]>;
  /** Sandbox back to its seed and this stack's Redis keys deleted: a clean slate per test. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const redisUrl = opts.redisUrl ?? process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    throw new Error('TEST_REDIS_URL is not set (jest globalSetup starts redis-server)');
  }
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  const logLines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });

  // The first instance's port is the public URL the sandbox redirects to.
  // The production server's limits and keep-alive (a 5 s keep-alive races a busy client).
  const firstServer = createHttpServer();
  const appUrl = `http://127.0.0.1:${await listen(firstServer)}`;
  const credentials = newCredentials('test');
  const sandbox = await startSandboxFor({
    appUrl,
    credentials,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3599,
  });
  const env: Record<string, string> = {
    ...sandboxedAppEnv({
      appUrl,
      sandboxUrl: sandbox.url,
      redisUrl,
      credentials,
      keyPrefix: prefix,
    }),
    ...(opts.cluster ? { REDIS_CLUSTER: '1' } : {}),
    ZOOM_TIMEOUT_MS: String(opts.zoomTimeoutMs ?? 10_000),
    TOKEN_REFRESH_MARGIN_SECONDS: String(opts.refreshMarginSeconds ?? 300),
    LOG_LEVEL: opts.logLevel ?? 'silent',
    ...opts.env,
  };
  const config = loadConfig(env);

  const apps: AppInstance[] = [];
  const makeInstance = async (server: http.Server, url: string): Promise<AppInstance> => {
    const redis = createRedis(config.redis);
    const subscriber = createRedis(config.redis);
    redis.on('error', () => undefined);
    subscriber.on('error', () => undefined);
    const counter = { refreshGrants: 0 };
    const services = composeServices(
      config,
      { redis, subscriber },
      createLogger(config.logLevel, logStream),
      { onRefreshGrant: () => counter.refreshGrants++ },
    );
    await services.lock.ensureSubscribed();
    const handler = createApp(appParts(services), { rootDir: ROOT });
    server.on('request', handler);
    const instance: AppInstance = {
      url,
      services,
      handler,
      connections: { redis, subscriber },
      get refreshGrants() {
        return counter.refreshGrants;
      },
      set refreshGrants(n: number) {
        counter.refreshGrants = n;
      },
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        await Promise.allSettled([redis.quit(), subscriber.quit()]);
      },
    };
    apps.push(instance);
    return instance;
  };
  const another = async (): Promise<AppInstance> => {
    const s = createHttpServer();
    return makeInstance(s, `http://127.0.0.1:${await listen(s)}`);
  };

  await makeInstance(firstServer, appUrl);
  for (let i = 1; i < (opts.instances ?? 1); i++) await another();

  const admin = createRedis(config.redis);
  const control = new SandboxControl(sandbox.url);
  const keys = async (): Promise<string[]> => {
    const nodes = await primariesOf(admin);
    return (await Promise.all(nodes.map((node) => node.keys(`${prefix}*`)))).flat();
  };
  const deleteKeys = async (): Promise<void> => {
    await deleteEach(admin, await keys());
  };
  const first = apps[0];
  if (!first) throw new Error('no app instance');
  return {
    sandbox,
    control,
    credentials,
    apps,
    app: first,
    admin,
    keyNames: first.services.keys,
    prefix,
    logLines,
    env,
    tokenStore: tokenStoreFor(admin, env),
    addInstance: another,
    keys,
    reset: async () => {
      await control.reset();
      await deleteKeys();
    },
    close: async () => {
      for (const a of apps) await a.close();
      await sandbox.close();
      await deleteKeys();
      await admin.quit();
    },
  };
}
