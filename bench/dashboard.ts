import { FORWARDED_HEADERS, rssMb } from './lib/app';
import type { BaselineProcess } from './lib/baseline-process';
import { coresUsed, cpuPer, cpuSnapshot } from './lib/cpu';
import { runLoad, type LoadResult } from './lib/load';
import { log } from './lib/log';
import { sleep } from './lib/procs';
import { DASHBOARD_MARKER, type Stack } from './lib/stack';

/**
 * 1. Signed-in `GET /` against the baseline (bench/baseline.ts), in the same run: app and
 * baseline runs alternate, so drift on the machine hits both alike.
 */

export interface DashboardOptions {
  readonly concurrencies: readonly number[];
  readonly runs: number;
  readonly durationSec: number;
  readonly warmupSec: number;
}

/** A run plus the CPU milliseconds each process spent per successful request. */
export interface DashboardRun extends LoadResult {
  readonly cpuMsPerRequest: Record<string, number>;
  /** Highest VmRSS of the server process seen during the run (MB). */
  readonly peakRssMb: number;
  /** Cores used on average by processes outside the bench during the run (noise). */
  readonly otherCores: number;
}

export interface DashboardRuns {
  readonly concurrency: number;
  readonly app: DashboardRun[];
  readonly baseline: DashboardRun[];
}

export async function benchDashboard(
  stack: Stack,
  baseline: BaselineProcess,
  opts: DashboardOptions,
): Promise<DashboardRuns[]> {
  const appHeaders = { ...FORWARDED_HEADERS, cookie: stack.cookie };
  const shared = { sandbox: stack.sandbox.proc.pid, redis: stack.redisPid };
  const out: DashboardRuns[] = [];
  for (const connections of opts.concurrencies) {
    const app = (durationSec: number, sample?: () => void): Promise<LoadResult> =>
      runLoad({
        url: `${stack.app.url}/`,
        connections,
        durationSec,
        headers: appHeaders,
        expectText: DASHBOARD_MARKER,
        sample,
      });
    const base = (durationSec: number, sample?: () => void): Promise<LoadResult> =>
      runLoad({
        url: `${baseline.url}/`,
        connections,
        durationSec,
        expectText: DASHBOARD_MARKER,
        sample,
      });
    log(`dashboard c=${connections}: warm-up ${opts.warmupSec} s each`);
    await app(opts.warmupSec);
    await base(opts.warmupSec);
    const runs: DashboardRuns = { concurrency: connections, app: [], baseline: [] };
    for (let i = 1; i <= opts.runs; i++) {
      await sleep(300);
      const a = await measured(shared, stack.app.proc.pid, (sample) =>
        app(opts.durationSec, sample),
      );
      await sleep(300);
      const b = await measured(shared, baseline.proc.pid, (sample) =>
        base(opts.durationSec, sample),
      );
      runs.app.push(a);
      runs.baseline.push(b);
      log(
        `  run ${i}: app ${a.rps.toFixed(0)} req/s p99 ${a.p99.toFixed(1)} ms | ` +
          `baseline ${b.rps.toFixed(0)} req/s p99 ${b.p99.toFixed(1)} ms`,
      );
    }
    out.push(runs);
  }
  return out;
}

/** Runs a load and adds the CPU per request of each process, the server's peak RSS and noise. */
async function measured(
  shared: Readonly<Record<string, number>>,
  server: number,
  run: (sample: () => void) => Promise<LoadResult>,
): Promise<DashboardRun> {
  let peakRssMb = 0;
  const sample = (): void => {
    peakRssMb = Math.max(peakRssMb, rssMb(server));
  };
  const before = cpuSnapshot({ ...shared, server });
  const started = performance.now();
  const result = await run(sample);
  const after = cpuSnapshot({ ...shared, server });
  const otherCores = coresUsed(before, after, performance.now() - started).others;
  return { ...result, cpuMsPerRequest: cpuPer(before, after, result.ok), peakRssMb, otherCores };
}
