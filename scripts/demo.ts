import { newCredentials, sandboxedAppEnv } from '../harness/app-env';
import { startReadyApp } from '../harness/app-process';
import { stopAll } from '../harness/processes';
import { startRedisServer, type RunningRedis } from '../harness/redis';
import { startSandboxFor } from '../harness/sandbox';

/**
 * The demo: a real Redis (REDIS_URL if set, else a redis-server started here on a free port),
 * the Zoom sandbox, and the production server (by the Procfile's line) wired to both with
 * secrets made for this run. Ctrl-C stops everything.
 */

const HOST = '127.0.0.1';

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
  const credentials = newCredentials('demo');
  const sandbox = await startSandboxFor({ appUrl, credentials, port: sandboxPort });
  const app = await startReadyApp(
    {
      ...sandboxedAppEnv({ appUrl, sandboxUrl: sandbox.url, redisUrl, credentials }),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
    { inherit: true },
  );

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    await sandbox.close();
    await stopAll();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  void app.exited.then(({ code }) => {
    if (!stopping) {
      process.stderr.write(`demo: the app exited (${code ?? 'signal'})\n`);
      void stop(1);
    }
  });

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

main().catch(async (err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  await stopAll();
  process.exit(1);
});
