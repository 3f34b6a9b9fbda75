import net from 'node:net';
import { prettyFactory } from 'pino-pretty';
import { startReaper, watchParents } from '../harness/lifeline';
import { stopAll } from '../harness/processes';
import { startRedisServer, type RunningRedis } from '../harness/redis';
import { startSandboxedApp, type SandboxedApp } from '../harness/sandboxed-app';

/**
 * The demo: a real Redis (REDIS_URL if set, else a redis-server started here on a free port),
 * the Zoom sandbox, and the production server (by the Procfile's line) wired to both with
 * secrets made for this run, all on 127.0.0.1. It owns its processes: Ctrl-C, a signal to it
 * or to npm, a failure at start — everything it started stops.
 */

const HOST = '127.0.0.1';

class DemoError extends Error {}

/**
 * One line naming what the port is for and the variable that moves it; the command it suggests
 * keeps the other port's setting (`keep`), so following it does not undo that choice.
 */
async function ensureFree(
  port: number,
  what: string,
  variable: string,
  keep: string,
): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
  if (!free) {
    throw new DemoError(
      `port ${port} (${what}) is already in use — set ${variable} to another port, e.g. ${settingOf(keep)}${variable}=${port + 100} npm run demo`,
    );
  }
}

/** "NAME=value " when the variable is set, else nothing. */
function settingOf(name: string): string {
  const value = process.env[name];
  return value ? `${name}=${value} ` : '';
}

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new DemoError(`${name} must be a port number (1-65535), not "${raw ?? ''}"`);
  }
  return n;
}

/** The app's JSON log lines, made readable (and anything else passed through). */
function readable(): (line: string) => void {
  const pretty = prettyFactory({
    colorize: process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
  });
  return (line) => {
    process.stdout.write(line.startsWith('{') ? pretty(line) : `${line}\n`);
  };
}

async function main(): Promise<void> {
  startReaper();
  let stopping = false;
  let redis: RunningRedis | undefined;
  let run: SandboxedApp | undefined;
  const stop = async (code: number, why?: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (why) process.stderr.write(`demo: ${why}\n`);
    await run?.stop();
    await redis?.stop();
    await stopAll();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void stop(0));
  }
  watchParents(() => void stop(0, 'the command that started the demo is gone; stopping'));

  try {
    const appPort = portFrom('PORT', 3000);
    const sandboxPort = portFrom('SANDBOX_PORT', 3001);
    await ensureFree(appPort, 'the app', 'PORT', 'SANDBOX_PORT');
    await ensureFree(sandboxPort, 'the Zoom sandbox', 'SANDBOX_PORT', 'PORT');
    let redisUrl = process.env.REDIS_URL;
    if (!redisUrl) {
      redis = await startRedisServer();
      redisUrl = redis.url;
    }
    run = await startSandboxedApp({
      redisUrl,
      label: 'demo',
      port: appPort,
      // Zoom retries a failed delivery after minutes; here, seconds.
      sandbox: { port: sandboxPort, webhookRetryScale: 0.01 },
      env: { HOST, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
      // A busy machine may take long to start the server; it is watched, so waiting costs nothing.
      app: { onStdoutLine: readable(), keepStdout: false, timeoutMs: 180_000 },
    });
    const { appUrl, sandbox } = run;
    void run.app.exited.then(({ code, signal }) => {
      void stop(1, `the app exited (${code ?? signal ?? 'unknown'})`);
    });

    process.stdout.write(
      [
        '',
        `  Assistant Manager for Zoom (demo) is running: open ${appUrl}`,
        `  Zoom sandbox:  ${sandbox.url}  — the demo users: ada (3 assistants), grace (1), alan (none)`,
        `                 to switch user, open it and press "Sign out of sandbox" (or use a private window)`,
        `                 to start the data over: curl -X POST ${sandbox.url}/_sandbox/reset`,
        `  Public pages:  ${appUrl}/help, /privacy, /terms, /support — run by "${run.env.OPERATOR_NAME ?? ''}" <${run.env.SUPPORT_EMAIL ?? ''}>`,
        `  Redis:         ${redis ? `a redis-server for this demo only, on port ${redis.port}` : 'REDIS_URL'}`,
        '  Press Ctrl-C to stop everything.',
        '',
      ].join('\n') + '\n',
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A port taken between our check and the listen answers EADDRINUSE: said the same way.
    await stop(1, err instanceof DemoError ? message : `could not start: ${message}`);
  }
}

void main();
