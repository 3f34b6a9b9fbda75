import { readFileSync } from 'node:fs';
import { freePort } from '../../scripts/lib/redis-server';
import { sandboxedAppEnv } from '../../scripts/lib/sandboxed-app-env';
import { waitForOk } from './http';
import { spawnNode, stopChild, type NodeChild } from './procs';
import { CLIENT_ID, CLIENT_SECRET, WEBHOOK_SECRET } from './sandbox';

/** The production build (`node dist/src/server.js`, the Procfile's web command) as a child. */

export const SERVER_SCRIPT = 'dist/src/server.js';

/** The node flags of the Procfile's web line (e.g. heap sizes), so the bench runs what ships. */
export function procfileNodeArgs(): string[] {
  const line = readFileSync('Procfile', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('web:'));
  const words = (line ?? '').slice('web:'.length).trim().split(/\s+/);
  return words.filter((w) => w.startsWith('--'));
}
export const KEY_PREFIX = 'bench:';
/** What every request says, as the platform's TLS router would (NODE_ENV=production). */
export const FORWARDED_HEADERS: Readonly<Record<string, string>> = { 'x-forwarded-proto': 'https' };
const UNLIMITED = '1000000';

/** The environment shared by every app process of a run: same secrets, same Redis, same prefix. */
export function appEnvironment(opts: {
  readonly redisUrl: string;
  readonly sandboxUrl: string;
  readonly redirectUrl: string;
}): Record<string, string> {
  return {
    ...sandboxedAppEnv({
      appUrl: new URL(opts.redirectUrl).origin,
      sandboxUrl: opts.sandboxUrl,
      redisUrl: opts.redisUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      webhookSecret: WEBHOOK_SECRET,
    }),
    ZOOM_REDIRECT_URL: opts.redirectUrl,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    REDIS_KEY_PREFIX: KEY_PREFIX,
    RATE_LIMIT_INSTALL_PER_10_MIN: UNLIMITED,
    RATE_LIMIT_ACTIONS_PER_MIN: UNLIMITED,
    RATE_LIMIT_WEBHOOK_PER_MIN: UNLIMITED,
  };
}

export interface AppProcess {
  readonly url: string;
  readonly port: number;
  readonly proc: NodeChild;
  /** performance.now() at spawn and at the first /readyz 200. */
  readonly spawnedAt: number;
  readonly readyAt: number;
  stop(): Promise<void>;
}

export interface StartAppOptions {
  readonly port?: number;
  readonly nodeArgs?: readonly string[];
  readonly pollMs?: number;
  /** Another build of the server (e.g. a copy of dist/ from before a change). */
  readonly script?: string;
  readonly onStdoutLine?: (line: string) => void;
}

export async function startApp(
  env: Record<string, string>,
  opts: StartAppOptions = {},
): Promise<AppProcess> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  const proc = spawnNode(opts.script ?? SERVER_SCRIPT, {
    env: { ...env, PORT: String(port) },
    nodeArgs: [...procfileNodeArgs(), ...(opts.nodeArgs ?? [])],
    onStdoutLine: opts.onStdoutLine,
  });
  let readyAt: number;
  try {
    readyAt = await waitForOk(`${url}/readyz`, 15_000, opts.pollMs ?? 5);
  } catch (err) {
    await stopChild(proc.child);
    throw new Error(`app did not become ready: ${proc.stderrTail() || String(err)}`, {
      cause: err,
    });
  }
  return { url, port, proc, spawnedAt, readyAt, stop: () => stopChild(proc.child) };
}

/** Resident set size (VmRSS) of a process, in MB, from /proc. */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m?.[1]) throw new Error(`no ${field} for pid ${pid}`);
  return Number(m[1]) / 1024;
}
