import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * Every child process the bench starts is registered here, so that a failure, Ctrl-C or a
 * normal end stops all of them. Only processes we started are ever signalled, by their pid.
 */

export const ROOT = path.resolve(__dirname, '..', '..', '..');

const children = new Set<ChildProcess>();
let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Last resort: whatever is still running when the bench exits is killed synchronously.
  process.on('exit', () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal}, stopping child processes\n`);
      process.exit(130);
    });
  }
}

export function track(child: ChildProcess): ChildProcess {
  installHooks();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface NodeChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last lines it wrote to stderr, for error messages. */
  stderrTail(): string;
}

export interface SpawnNodeOptions {
  readonly env: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  /** Receives each line the child writes to stdout (otherwise stdout is discarded). */
  readonly onStdoutLine?: (line: string) => void;
}

/** `node <script>` (relative to the repo root, or absolute) from the repo root with exactly `env` (plus PATH and HOME). */
export function spawnNode(script: string, opts: SpawnNodeOptions): NodeChild {
  const onLine = opts.onStdoutLine;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), path.resolve(ROOT, script)], {
    cwd: ROOT,
    stdio: ['ignore', onLine ? 'pipe' : 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
  });
  if (onLine && child.stdout) {
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
  }
  track(child);
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail.push(chunk);
    while (tail.length > 20) tail.shift();
  });
  return { child, pid: child.pid, stderrTail: () => tail.join('').trim() };
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (exited(child)) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** Stops every child still running (the normal end of a bench run). */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
