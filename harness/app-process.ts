import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  lostItsPort,
  onAFreePort,
  PortTakenError,
  ROOT,
  spawnTracked,
  stopChild,
  waitUntilReady,
  type Spawned,
} from './processes';

/**
 * The production server as the platform starts it: the Procfile's `web:` command, run from the
 * repo root with only the environment given (plus PATH and HOME), as its own process.
 */

/** The Procfile's web command as words: ['node', ...flags, 'dist/src/server.js']. */
export function procfileWebCommand(): string[] {
  const procfile = readFileSync(path.join(ROOT, 'Procfile'), 'utf8');
  const line = procfile.split('\n').find((l) => l.startsWith('web:'));
  if (!line) throw new Error('Procfile has no web: line');
  return line.slice('web:'.length).trim().split(/\s+/);
}

export interface AppProcess extends Spawned {
  readonly url: string;
  readonly port: number;
  /** performance.now() at spawn and at the first /readyz 200 (when waited for). */
  readonly spawnedAt: number;
  stop(): Promise<void>;
}

export interface AppProcessOptions {
  /** Default: a free one (PORT in env wins). */
  readonly port?: number;
  /** Node flags added before the Procfile's own (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** The node binary for the Procfile's `node` (default: this process's). */
  readonly node?: string;
  readonly onStdoutLine?: (line: string) => void;
  readonly inherit?: boolean;
  /** false: the server's stdout is read but its lines are not kept (see spawnTracked). */
  readonly keepStdout?: boolean;
}

/** Starts the server by the Procfile line, without waiting (see `startReadyApp`). */
export async function startAppProcess(
  env: Record<string, string>,
  opts: AppProcessOptions = {},
): Promise<AppProcess> {
  const port = env.PORT ? Number(env.PORT) : (opts.port ?? (await freePort()));
  const [command, ...args] = procfileWebCommand();
  if (!command) throw new Error('empty web command');
  const nodeArgs = command === 'node' ? (opts.nodeArgs ?? []) : [];
  const spawnedAt = performance.now();
  const spawned = spawnTracked(
    command === 'node' ? (opts.node ?? process.execPath) : command,
    [...nodeArgs, ...args],
    {
      env: { ...env, PORT: String(port) },
      onStdoutLine: opts.onStdoutLine,
      inherit: opts.inherit,
      keepStdout: opts.keepStdout,
    },
  );
  return {
    ...spawned,
    url: `http://127.0.0.1:${port}`,
    port,
    spawnedAt,
    stop: () => stopChild(spawned.child),
  };
}

export interface ReadyAppOptions extends AppProcessOptions {
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /** What answers 200 once it is ready (default /readyz; /healthz needs no Redis). */
  readonly readyPath?: string;
}

/**
 * Starts the server and waits for its readiness 200; returns when it was ready. On a port of
 * the harness's choosing (neither PORT nor `port` given), a port taken before the server
 * could bind it is no failure: the server starts again on another.
 */
export async function startReadyApp(
  env: Record<string, string>,
  opts: ReadyAppOptions = {},
): Promise<AppProcess & { readonly readyAt: number }> {
  const fixed = env.PORT !== undefined ? Number(env.PORT) : opts.port;
  return onAFreePort(fixed, (port) => startReadyOnce(env, { ...opts, port }));
}

async function startReadyOnce(
  env: Record<string, string>,
  opts: ReadyAppOptions,
): Promise<AppProcess & { readonly readyAt: number }> {
  const app = await startAppProcess(env, opts);
  try {
    const readyAt = await waitUntilReady(`${app.url}${opts.readyPath ?? '/readyz'}`, {
      timeoutMs: opts.timeoutMs,
      pollMs: opts.pollMs,
      alive: () => app.child.exitCode === null,
    });
    return { ...app, readyAt };
  } catch (err) {
    await app.stop();
    await app.exited;
    const why = app.stderr.slice(-5).join('\n') || (err instanceof Error ? err.message : '');
    const Failure = lostItsPort(app) ? PortTakenError : Error;
    throw new Failure(`the app did not become ready: ${why}`, { cause: err });
  }
}
