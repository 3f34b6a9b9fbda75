import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/**
 * Child processes that die with their parent. Every child is registered here, and killed when
 * this process exits; a long-running tool (the demo, the benchmark) adds lifeline.ts so that
 * a signal to it, to npm or to the shell between them, or even SIGKILL, stops them too.
 * Only processes we started are ever signalled.
 */

export const ROOT = path.resolve(__dirname, '..');

const children = new Set<ChildProcess>();
let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Last resort, synchronous: whatever still runs when this process exits is killed.
  process.on('exit', () => {
    for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
  });
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

const watchers = new Set<(event: 'started' | 'exited', pid: number) => void>();

/** Called with every tracked child's pid when it starts and when it exits (the reaper). */
export function onTracked(watch: (event: 'started' | 'exited', pid: number) => void): void {
  watchers.add(watch);
  for (const child of children) if (child.pid !== undefined) watch('started', child.pid);
}

/** Registers a child: it is killed when this process exits, however it exits. */
export function track(child: ChildProcess): ChildProcess {
  installHooks();
  children.add(child);
  const pid = child.pid;
  if (pid !== undefined) for (const w of watchers) w('started', pid);
  child.once('exit', () => {
    children.delete(child);
    if (pid !== undefined) for (const w of watchers) w('exited', pid);
  });
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every tracked child (e.g. from a signal handler), children in reverse start order. */
export async function stopAll(): Promise<void> {
  for (const child of [...children].reverse()) await stopChild(child);
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Lines written so far (kept in full: tests read them). */
  readonly stdout: string[];
  readonly stderr: string[];
  /** Once it has exited and what it wrote before is read (its last lines are in stdout/stderr). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnLinesOptions {
  readonly env: Record<string, string>;
  readonly cwd?: string;
  /** Also called with each stdout line as it arrives. */
  readonly onStdoutLine?: (line: string) => void;
  /** Pass stdout and stderr through to ours instead of keeping them. */
  readonly inherit?: boolean;
  /** false: read stdout but do not keep its lines (long, chatty runs); default true. */
  readonly keepStdout?: boolean;
}

/** NODE_OPTIONS passes on, so that CI's --throw-deprecation reaches every process it tests. */
const inherited = (): Record<string, string> =>
  process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {};

/** Starts a tracked child with exactly `env` (plus PATH, HOME, NODE_OPTIONS); output as lines. */
export function spawnTracked(
  command: string,
  args: readonly string[],
  opts: SpawnLinesOptions,
): Spawned {
  const options: SpawnOptions = {
    cwd: opts.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/',
      ...inherited(),
      ...opts.env,
    },
    stdio: opts.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  };
  const child = track(spawn(command, args, options));
  const stdout: string[] = [];
  const stderr: string[] = [];
  collectLines(child.stdout, (line) => {
    if (opts.keepStdout !== false) stdout.push(line);
    opts.onStdoutLine?.(line);
  });
  collectLines(child.stderr, (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      // 'exit' can come before the pipes are read to their end; 'close' comes after. A process
      // it started that kept the pipes open would hold 'close' back: then a moment's grace.
      const done = (): void => resolve({ code, signal });
      const grace = setTimeout(done, 2_000);
      grace.unref();
      child.once('close', () => {
        clearTimeout(grace);
        done();
      });
    }),
  );
  child.once('error', () => undefined); // reported by `exited` and by the caller's readiness wait
  return { child, pid: child.pid ?? -1, stdout, stderr, exited };
}

function collectLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== '') onLine(line);
  });
  stream.on('end', () => {
    if (partial !== '') onLine(partial);
  });
}

/**
 * A loopback port free now. Nothing holds it for the caller: another listener, or an outgoing
 * connection's source port, may take it before the caller binds it (see `lostItsPort`).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on the loopback port. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface ReadyOptions {
  readonly status?: number;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /** Gives up at once when this says the process is gone. */
  readonly alive?: () => boolean;
}

/** A start failed because another process took its port before it could bind it. */
export class PortTakenError extends Error {}

/**
 * Runs `start` on the `fixed` port, or on a free one of the harness's choosing; a chosen port
 * taken before the start could bind it (`PortTakenError`) is traded for another, up to 5 times.
 */
export async function onAFreePort<T>(
  fixed: number | undefined,
  start: (port: number) => Promise<T>,
): Promise<T> {
  if (fixed !== undefined) return start(fixed);
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt === 5) throw err;
    }
  }
}

/** Whether a child that has exited (await `exited` first) said its port was taken. */
export function lostItsPort(s: Pick<Spawned, 'stderr'>): boolean {
  return s.stderr.some((line) => line.includes('EADDRINUSE'));
}

/**
 * Polls `url` until it answers `status` (200); resolves with performance.now() of that answer.
 * A process that is watched (`alive`) is waited for long by default: a loaded machine can take
 * many seconds to start one, and one that dies is reported at once anyway.
 */
export async function waitUntilReady(url: string, opts: ReadyOptions = {}): Promise<number> {
  const status = opts.status ?? 200;
  const timeoutMs = opts.timeoutMs ?? (opts.alive ? 60_000 : 15_000);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === status) return performance.now();
    } catch {
      // not listening yet
    }
    if (opts.alive && !opts.alive())
      throw new Error(`${url}: the process exited before it was ready`);
    if (performance.now() > deadline) {
      throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 20));
  }
}
