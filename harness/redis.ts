import os from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { canConnect, freePort, track } from './processes';

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

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RunningRedis> {
  const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const port = opts.port ?? (await freePort());
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
  const deadline = Date.now() + 5000;
  const ready = (async () => {
    while (!(await canConnect(port))) {
      if (exited) throw new Error(`${binary} exited at start`);
      if (Date.now() > deadline) throw new Error(`${binary} did not start in 5 s`);
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
