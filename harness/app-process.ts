import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, ROOT, spawnTracked, stopChild, waitUntilReady, type Spawned } from './processes';

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

/** Starts the server and waits for its /readyz 200; returns when it was ready. */
export async function startReadyApp(
  env: Record<string, string>,
  opts: AppProcessOptions & { readonly timeoutMs?: number; readonly pollMs?: number } = {},
): Promise<AppProcess & { readonly readyAt: number }> {
  const app = await startAppProcess(env, opts);
  try {
    const readyAt = await waitUntilReady(`${app.url}/readyz`, {
      timeoutMs: opts.timeoutMs,
      pollMs: opts.pollMs,
      alive: () => app.child.exitCode === null,
    });
    return { ...app, readyAt };
  } catch (err) {
    await app.stop();
    const why = app.stderr.slice(-5).join('\n') || (err instanceof Error ? err.message : '');
    throw new Error(`the app did not become ready: ${why}`, { cause: err });
  }
}
