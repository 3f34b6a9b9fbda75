import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FORWARDED_HEADERS } from './lib/app';
import type { BaselineProcess } from './lib/baseline-process';
import { burst, closeTargets, prepareTargets } from './lib/burst';
import { sleep, track } from './lib/procs';
import { DASHBOARD_MARKER, type Stack } from './lib/stack';

/**
 * System calls per dashboard request of the app and of the baseline (`strace -c -f`, all
 * threads), a count that does not depend on how busy the machine is. Skipped when strace is
 * missing or may not attach (BENCH_STRACE=0 skips it too).
 */

export interface SyscallCount {
  readonly name: string;
  readonly perRequest: number;
}

export interface SyscallProfile {
  readonly total: number;
  readonly calls: SyscallCount[];
}

export interface SyscallReport {
  readonly requests: number;
  readonly app: SyscallProfile;
  readonly baseline: SyscallProfile;
}

const ROW = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/;

export function parseStraceSummary(text: string, requests: number): SyscallProfile {
  const calls: SyscallCount[] = [];
  for (const line of text.split('\n')) {
    const m = ROW.exec(line);
    if (m?.[1] && m[2] && m[2] !== 'total')
      calls.push({ name: m[2], perRequest: Number(m[1]) / requests });
  }
  calls.sort((a, b) => b.perRequest - a.perRequest);
  return { total: calls.reduce((sum, c) => sum + c.perRequest, 0), calls };
}

export function straceAvailable(): boolean {
  return spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0;
}

async function traced(
  pid: number,
  url: string,
  headers: Record<string, string>,
  requests: number,
): Promise<SyscallProfile> {
  const out = path.join(os.tmpdir(), `bench-strace-${process.pid}-${pid}.txt`);
  const targets = await prepareTargets([url], 10);
  try {
    const accept = (status: number, body: string): boolean =>
      status === 200 && body.includes(DASHBOARD_MARKER);
    await burst(targets, 200, '/', headers, accept); // warm
    const strace = track(
      spawn('strace', ['-c', '-f', '-p', String(pid), '-o', out], { stdio: 'ignore' }),
    );
    const exited = new Promise<number | null>((resolve) => strace.once('exit', resolve));
    await sleep(500); // attached
    let failed = 0;
    for (let done = 0; done < requests; done += 10) {
      failed += (await burst(targets, 10, '/', headers, accept)).failed;
    }
    strace.kill('SIGINT');
    await exited;
    if (failed > 0) throw new Error(`${failed} requests failed under strace`);
    return parseStraceSummary(readFileSync(out, 'utf8'), requests);
  } finally {
    closeTargets(targets);
    rmSync(out, { force: true });
  }
}

export async function benchSyscalls(
  stack: Stack,
  baseline: BaselineProcess,
  requests: number,
): Promise<SyscallReport> {
  const app = await traced(
    stack.app.proc.pid,
    stack.app.url,
    { ...FORWARDED_HEADERS, cookie: stack.cookie },
    requests,
  );
  const base = await traced(baseline.proc.pid, baseline.url, {}, requests);
  return { requests, app, baseline: base };
}
