import http from 'node:http';
import type { Socket } from 'node:net';
import { createApp } from './app';
import { appParts, composeServices } from './compose';
import { loadConfigOrExit } from './config';
import { createLogger, type Logger } from './log';
import { createRedis } from './store/redis';

/** Process entry: config, Redis, app, listen, graceful shutdown. */

/** Outlasts a Zoom call (ZOOM_TIMEOUT_MS is at most 20 s) within the platform's 30 s. */
const DRAIN_LIMIT_MS = 25_000;

/**
 * What one client may hold of a process: its request's headers within 10 s and the whole
 * request within 30 s (each checked every second), or the socket is closed; a bounded number
 * of open connections (beyond it, new ones are refused at once).
 */
export const SERVER_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkEveryMs: 1_000,
  // Longer than the platform router's idle timeout, so the router closes first.
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1_000,
} as const;

export function createHttpServer(handler?: http.RequestListener): http.Server {
  const server = http.createServer(
    {
      headersTimeout: SERVER_LIMITS.headersTimeoutMs,
      requestTimeout: SERVER_LIMITS.requestTimeoutMs,
      connectionsCheckingInterval: SERVER_LIMITS.checkEveryMs,
    },
    handler,
  );
  server.keepAliveTimeout = SERVER_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = SERVER_LIMITS.maxConnections;
  return server;
}

export async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const redis = createRedis(config.redis, 'web');
  const subscriber = createRedis(config.redis, 'web-sub');
  for (const [name, client] of [
    ['redis', redis],
    ['subscriber', subscriber],
  ] as const) {
    // Without a listener, ioredis reports every reconnect attempt as an unhandled error.
    client.on('error', (err: Error) =>
      logger.warn({ client: name, err: err.message }, 'redis error'),
    );
  }

  // A safety net, not a control path: log and keep serving rather than drop every request.
  process.on('unhandledRejection', (reason) => {
    logger.error(
      { err: reason instanceof Error ? reason.message : 'unknown' },
      'unhandled rejection',
    );
  });

  const services = composeServices(config, { redis, subscriber }, logger);
  services.lock.ensureSubscribed().catch(() => undefined); // retried on first wait
  const app = createApp(appParts(services));
  const server = createHttpServer(app);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // a busy port: the fatal line below, exit 1
    server.listen(config.port, config.host, resolve);
  });
  logger.info({ port: config.port, host: config.host ?? 'all interfaces' }, 'listening');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void shutdown(server, sockets, logger).then(async () => {
      // A refresh still storing its answer gets a moment more, inside the platform's 30 s.
      await Promise.race([services.tokenManager.settled(), sleep(1_000)]);
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Stop accepting, let in-flight requests finish (capped), close idle keep-alive sockets. */
async function shutdown(server: http.Server, sockets: Set<Socket>, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cap = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), DRAIN_LIMIT_MS).unref(),
  );
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  const outcome = await Promise.race([closed.then(() => 'drained' as const), cap]);
  clearInterval(idleSweep);
  if (outcome === 'timeout') {
    logger.warn({ open: sockets.size }, 'drain limit reached; closing remaining connections');
    for (const s of sockets) s.destroy();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
