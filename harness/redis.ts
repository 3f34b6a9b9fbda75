import os from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { canConnect, onAFreePort, PortTakenError, track } from './processes';

/** Starts a real redis-server (no persistence) on a free loopback port, for tests and tools. */

export interface RunningRedis {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** A fixed port (e.g. to restart on the same one); default a free one. */
  readonly port?: number;
  /** Serve TLS only, on the port, with this certificate (rediss://). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Persist to an append-only file in this folder (so a restart keeps the data). */
  readonly dataDir?: string;
  /** More redis-server arguments (e.g. a cluster node's). */
  readonly extraArgs?: readonly string[];
}

/** redis-server on the port; on a port of its own choosing, another if that one was taken meanwhile. */
export function startRedisServer(opts: RedisServerOptions = {}): Promise<RunningRedis> {
  return onAFreePort(opts.port, (port) => startOn(port, opts));
}

async function startOn(port: number, opts: RedisServerOptions): Promise<RunningRedis> {
  const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const listen = opts.tls
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        opts.tls.cert,
        '--tls-key-file',
        opts.tls.key,
        '--tls-ca-cert-file',
        opts.tls.cert,
        '--tls-auth-clients',
        'no',
      ]
    : ['--port', String(port)];
  const persistence = opts.dataDir
    ? ['--dir', opts.dataDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
    : ['--save', '', '--appendonly', 'no', '--dir', os.tmpdir()]; // a replica's sync file
  const child = track(
    spawn(binary, [...listen, '--bind', '127.0.0.1', ...persistence, ...(opts.extraArgs ?? [])], {
      stdio: 'ignore',
    }),
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err) =>
      reject(new Error(`could not start ${binary} (${err.message}); install redis-server`)),
    ),
  );
  // Watched, so the wait is long: a loaded machine can take seconds to start a process.
  const deadline = Date.now() + 60_000;
  const ready = (async () => {
    while (!(await canConnect(port))) {
      // Its output is not read: an exit at start is taken for a port taken meanwhile.
      if (exited) throw new PortTakenError(`${binary} exited at start (port ${port})`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${binary} did not start in 60 s`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await Promise.race([ready, spawnError]);
  return {
    port,
    url: `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
