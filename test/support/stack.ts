import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type Redis from 'ioredis';
import { createApp } from '../../src/app';
import { composeServices, type Services } from '../../src/compose';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { createRedis } from '../../src/store/redis';
import { startSandbox, type RunningSandbox } from '../../src/sandbox';
import { Browser, hiddenField, type Page } from './browser';

/**
 * The whole product on real sockets: the Zoom sandbox, one or more app instances on one real
 * Redis (each with its own connections, as separate processes would have), and a browser.
 * Each stack uses its own key prefix, so test files can share the redis-server.
 */

export const CLIENT_ID = 'test-client-id';
export const CLIENT_SECRET = 'test-client-secret-0123456789';
export const WEBHOOK_SECRET = 'test-webhook-secret-token';
export const ROOT = path.resolve(__dirname, '..', '..');

export interface AppInstance {
  readonly url: string;
  readonly services: Services;
  readonly connections: { redis: Redis; subscriber: Redis };
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
  /** Capture every log line (at this level) into `logLines`. */
  logLevel?: string;
}

export class SandboxControl {
  constructor(readonly url: string) {}

  async post<T = unknown>(p: string, body: unknown = {}): Promise<T> {
    const res = await fetch(`${this.url}/_sandbox${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox ${p} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }

  async get<T = unknown>(p: string): Promise<T> {
    const res = await fetch(`${this.url}/_sandbox${p}`);
    if (!res.ok) throw new Error(`sandbox ${p} answered ${res.status}`);
    return (await res.json()) as T;
  }

  stats(): Promise<Record<string, number>> {
    return this.get('/stats');
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.url}/_sandbox/faults`, { method: 'DELETE' });
  }
}

export interface Stack {
  readonly sandbox: RunningSandbox;
  readonly control: SandboxControl;
  readonly apps: AppInstance[];
  readonly app: AppInstance;
  readonly admin: Redis;
  readonly prefix: string;
  readonly logLines: string[];
  readonly env: Record<string, string>;
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
  if (!redisUrl)
    throw new Error('TEST_REDIS_URL is not set (jest globalSetup starts redis-server)');
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  const logLines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });

  const firstServer = http.createServer();
  const firstPort = await listen(firstServer);
  const publicUrl = `http://127.0.0.1:${firstPort}`;
  const redirectUrl = `${publicUrl}/oauth/callback`;
  const sandbox = await startSandbox({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [redirectUrl],
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3599,
    webhookUrl: `${publicUrl}/webhooks/zoom`,
    webhookSecretToken: WEBHOOK_SECRET,
  });
  const env: Record<string, string> = {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    ZOOM_CLIENT_ID: CLIENT_ID,
    ZOOM_CLIENT_SECRET: CLIENT_SECRET,
    ZOOM_REDIRECT_URL: redirectUrl,
    ZOOM_WEBHOOK_SECRET_TOKEN: WEBHOOK_SECRET,
    SESSION_SECRET: 'test-session-secret-'.padEnd(48, 'x'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ZOOM_OAUTH_URL: sandbox.url,
    ZOOM_API_URL: `${sandbox.url}/v2`,
    ZOOM_TIMEOUT_MS: String(opts.zoomTimeoutMs ?? 10_000),
    TOKEN_REFRESH_MARGIN_SECONDS: String(opts.refreshMarginSeconds ?? 300),
    LOG_LEVEL: opts.logLevel ?? 'silent',
    ...opts.env,
  };
  const config = loadConfig(env);

  const apps: AppInstance[] = [];
  const makeInstance = async (server: http.Server, port: number): Promise<AppInstance> => {
    const settings = { url: config.redis.url, tlsRejectUnauthorized: false };
    const redis = createRedis(settings);
    const subscriber = createRedis(settings);
    redis.on('error', () => undefined);
    subscriber.on('error', () => undefined);
    const logger = createLogger(config.logLevel, logStream);
    const instance: AppInstance = {
      url: `http://127.0.0.1:${port}`,
      services: undefined as unknown as Services, // set just below
      connections: { redis, subscriber },
      refreshGrants: 0,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        await Promise.allSettled([redis.quit(), subscriber.quit()]);
      },
    };
    const services = composeServices(config, { redis, subscriber }, logger, {
      onRefreshGrant: () => instance.refreshGrants++,
    });
    (instance as { services: Services }).services = services;
    await services.lock.ensureSubscribed();
    server.on('request', createApp(services, { rootDir: ROOT }));
    apps.push(instance);
    return instance;
  };

  await makeInstance(firstServer, firstPort);
  for (let i = 1; i < (opts.instances ?? 1); i++) {
    const s = http.createServer();
    await makeInstance(s, await listen(s));
  }

  const admin = createRedis({ url: config.redis.url, tlsRejectUnauthorized: false });
  const first = apps[0];
  if (!first) throw new Error('no app instance');
  return {
    sandbox,
    control: new SandboxControl(sandbox.url),
    apps,
    app: first,
    admin,
    prefix,
    logLines,
    env,
    addInstance: async () => {
      const s = http.createServer();
      return makeInstance(s, await listen(s));
    },
    keys: () => admin.keys(`${prefix}*`),
    reset: async () => {
      await new SandboxControl(sandbox.url).post('/reset');
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    },
    close: async () => {
      for (const a of apps) await a.close();
      await sandbox.close();
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
    },
  };
}

/**
 * Add to Zoom from the landing page: /install → sandbox consent → Allow as `user` → callback →
 * dashboard. Returns the dashboard page.
 */
export async function signIn(
  browser: Browser,
  stack: Stack,
  user = 'ada',
  appUrl = stack.app.url,
): Promise<Page> {
  const consent = await browser.get(`${appUrl}/install`);
  if (consent.url.startsWith(appUrl)) return consent; // already authorized: no consent page
  return submitConsent(browser, consent, user, 'allow');
}

/**
 * Starts an install and allows it at the sandbox, stopping before the callback: returns the
 * callback URL (with its code and state) for tests that replay, steal or inspect it.
 */
export async function callbackUrlFor(browser: Browser, stack: Stack, user: string): Promise<URL> {
  const consent = await browser.get(`${stack.app.url}/install`);
  const toCallback = await browser.postForm(
    `${stack.sandbox.url}/oauth/authorize`,
    { ...consentFields(consent), user, decision: 'allow' },
    { follow: false },
  );
  return new URL(toCallback.headers.get('location') ?? '');
}

function consentFields(consent: Page): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of [
    'response_type',
    'client_id',
    'redirect_uri',
    'state',
    'code_challenge',
    'code_challenge_method',
  ]) {
    try {
      fields[name] = hiddenField(consent.text, name);
    } catch {
      // optional field absent
    }
  }
  return fields;
}

/** Posts the sandbox consent form (Allow or Deny) and follows the redirects. */
export async function submitConsent(
  browser: Browser,
  consent: Page,
  user: string,
  decision: 'allow' | 'deny',
): Promise<Page> {
  return browser.postForm(new URL('/oauth/authorize', consent.url).toString(), {
    ...consentFields(consent),
    user,
    decision,
  });
}

export function csrfOf(page: Page): string {
  return hiddenField(page.text, '_csrf');
}
