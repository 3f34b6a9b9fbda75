import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startSandbox } from '../src/sandbox';
import { startRedisServer, type RunningRedis } from './lib/redis-server';
import { sandboxedAppEnv } from './lib/sandboxed-app-env';

/**
 * The demo: a real Redis (REDIS_URL if set, else a redis-server started here on a free port),
 * the Zoom sandbox, and the production server wired to both with development secrets made for
 * this run. Ctrl-C stops everything.
 */

const HOST = '127.0.0.1';

async function waitForReady(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} was not ready after ${ms} ms`);
}

async function main(): Promise<void> {
  const appPort = Number(process.env.PORT ?? 3000);
  const sandboxPort = Number(process.env.SANDBOX_PORT ?? 3001);
  const appUrl = `http://${HOST}:${appPort}`;

  let redis: RunningRedis | undefined;
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    redis = await startRedisServer();
    redisUrl = redis.url;
  }

  const clientId = 'demo-client-id';
  const clientSecret = randomBytes(24).toString('base64url');
  const webhookSecret = randomBytes(24).toString('base64url');
  const sandbox = await startSandbox({
    port: sandboxPort,
    clientId,
    clientSecret,
    redirectUris: [`${appUrl}/oauth/callback`],
    webhookUrl: `${appUrl}/webhooks/zoom`,
    webhookSecretToken: webhookSecret,
  });

  const root = path.resolve(__dirname, '..', '..');
  const app = spawn(process.execPath, [path.join(root, 'dist', 'src', 'server.js')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      ...sandboxedAppEnv({
        appUrl,
        sandboxUrl: sandbox.url,
        redisUrl,
        clientId,
        clientSecret,
        webhookSecret,
      }),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
  });

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    app.kill('SIGTERM');
    await new Promise((r) => (app.exitCode === null ? app.once('exit', r) : r(null)));
    await sandbox.close();
    await redis?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  app.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`demo: the app exited (${code ?? 'signal'})\n`);
      void stop(1);
    }
  });

  await waitForReady(`${appUrl}/readyz`, 15_000);
  process.stdout.write(
    [
      '',
      `  Assistant Remover (demo) is running: open ${appUrl}`,
      `  Zoom sandbox: ${sandbox.url}  (demo users: ada — 3 assistants, grace — 1, alan — none)`,
      `  Redis: ${redis ? `a redis-server started for this demo on port ${redis.port}` : 'REDIS_URL'}`,
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
