import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './stack';

/**
 * The production server as the platform starts it: the Procfile's web command, run from the
 * repo root with only the environment given (plus PATH), as its own process.
 */

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: string[];
  readonly stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function procfileWebCommand(): string[] {
  const procfile = readFileSync(path.join(ROOT, 'Procfile'), 'utf8');
  const line = procfile.split('\n').find((l) => l.startsWith('web:'));
  if (!line) throw new Error('Procfile has no web: line');
  return line.slice('web:'.length).trim().split(/\s+/);
}

export function startServerProcess(env: Record<string, string>): ServerProcess {
  const [cmd, ...args] = procfileWebCommand();
  if (!cmd) throw new Error('empty web command');
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (d: Buffer) => stdout.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (d: Buffer) => stderr.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, url: `http://127.0.0.1:${env.PORT ?? '3000'}`, stdout, stderr, exited };
}

export async function waitForStatus(url: string, status: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).status === status) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
