import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FORWARDED_HEADERS, startApp } from './lib/app';
import { cpuPer, cpuSnapshot } from './lib/cpu';
import { runLoad, type LoadResult } from './lib/load';
import { log } from './lib/log';
import { ROOT } from './lib/procs';
import { DASHBOARD_MARKER, type Stack } from './lib/stack';
import { readProfile, summarizeProfile, type ProfileSummary } from './profile-summary';

/**
 * CPU profile of an app process serving the dashboard (`node --cpu-prof`): warm-up, then the
 * measured load; the summary skips everything before the measured load (start-up, warm-up).
 */

export const PROFILE_DIR = path.join(ROOT, 'dist', 'bench-results', 'profiles');

export interface ProfileOptions {
  readonly connections: number;
  /** Fixed request rate, below saturation, so the profile is not distorted by preemption. */
  readonly rate?: number;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly top: number;
}

export interface ProfileReport {
  readonly file: string;
  readonly connections: number;
  readonly durationSec: number;
  readonly rate?: number;
  readonly load: LoadResult;
  /** CPU the process really used per request (from /proc), to compare with the profile. */
  readonly cpuMsPerRequest: number;
  readonly summary: ProfileSummary;
}

export async function benchProfile(stack: Stack, opts: ProfileOptions): Promise<ProfileReport> {
  rmSync(PROFILE_DIR, { recursive: true, force: true });
  mkdirSync(PROFILE_DIR, { recursive: true });
  const app = await startApp(stack.env, {
    nodeArgs: [
      '--cpu-prof',
      '--cpu-prof-dir',
      PROFILE_DIR,
      '--cpu-prof-name',
      'dashboard.cpuprofile',
    ],
  });
  let load: LoadResult;
  let skipMs: number;
  let cpuMs: number;
  try {
    const run = (durationSec: number): Promise<LoadResult> =>
      runLoad({
        url: `${app.url}/`,
        connections: opts.connections,
        durationSec,
        headers: { ...FORWARDED_HEADERS, cookie: stack.cookie },
        expectText: DASHBOARD_MARKER,
        rate: opts.rate,
      });
    await run(opts.warmupSec);
    skipMs = performance.now() - app.spawnedAt;
    const before = cpuSnapshot({ server: app.proc.pid });
    load = await run(opts.durationSec);
    cpuMs = cpuPer(before, cpuSnapshot({ server: app.proc.pid }), load.ok).server ?? Number.NaN;
  } finally {
    await app.stop(); // the profile is written as the process exits
  }
  const name = readdirSync(PROFILE_DIR).find((f) => f.endsWith('.cpuprofile'));
  if (!name) throw new Error(`no .cpuprofile written in ${PROFILE_DIR}`);
  const file = path.join(PROFILE_DIR, name);
  const summary = summarizeProfile(readProfile(file), skipMs, opts.top);
  log(
    `profile: ${load.rps.toFixed(0)} req/s at c=${opts.connections}; busy ${summary.busyMs.toFixed(0)} ms ` +
      `of ${summary.sampledMs.toFixed(0)} ms sampled; ${path.relative(ROOT, file)}`,
  );
  return {
    file: path.relative(ROOT, file),
    connections: opts.connections,
    durationSec: opts.durationSec,
    rate: opts.rate,
    load,
    cpuMsPerRequest: cpuMs,
    summary,
  };
}
