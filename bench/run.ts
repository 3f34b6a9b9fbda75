import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchDashboard, type DashboardRuns } from './dashboard';
import { startBaseline, type BaselineProcess } from './lib/baseline-process';
import { DOCS_FILE, writeDocs } from './docs';
import { figures } from './figures';
import { log } from './lib/log';
import { describeMachine } from './lib/machine';
import { ROOT, stopAll } from './lib/procs';
import { closeStack, startStack, type Stack } from './lib/stack';
import { benchMemory } from './memory';
import { benchProfile } from './profile';
import { consoleTable, generatedMarkdown } from './report';
import type { BenchResults } from './results';
import { benchRoundTrips, type RoundTripReport } from './round-trips';
import { benchSettings } from './settings';
import { benchStartup } from './startup';
import { benchStorm } from './storm';
import { benchSyscalls, straceAvailable, type SyscallReport } from './syscalls';

/**
 * `npm run bench`: starts redis-server, the sandbox and the production app as separate
 * processes, measures (dashboard vs baseline, refresh storm, Redis commands, start-up, memory,
 * profile), prints the summary and rewrites the generated part of docs/benchmarks.md.
 */

const RESULTS_FILE = path.join(ROOT, 'dist', 'bench-results', 'latest.json');

/** The syscall counts, or why there are none. */
async function measureSyscalls(
  stack: Stack,
  baseline: BaselineProcess,
  requests: number | null,
): Promise<SyscallReport | string> {
  if (requests === null) return 'skipped (BENCH_STRACE=0)';
  if (!straceAvailable()) return 'skipped: strace is not installed';
  try {
    const report = await benchSyscalls(stack, baseline, requests);
    log(
      `syscalls per request: app ${report.app.total.toFixed(1)}, baseline ${report.baseline.total.toFixed(1)}`,
    );
    return report;
  } catch (err) {
    return `skipped: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function measure(): Promise<BenchResults> {
  const settings = benchSettings(process.env);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  log('bench: starting redis-server, the sandbox and the app; signing in through the sandbox');
  const stack = await startStack();
  try {
    const machine = await describeMachine(stack.admin);
    const baseline = await startBaseline(stack);
    let dashboard: DashboardRuns[];
    let syscalls: SyscallReport | string;
    try {
      dashboard = await benchDashboard(stack, baseline, settings.dashboard);
      syscalls = await measureSyscalls(stack, baseline, settings.syscallRequests);
    } finally {
      await baseline.stop(); // its token dies in the refresh storm
    }
    const roundTrips: RoundTripReport[] = [];
    for (let i = 0; i < settings.roundTrips.runs; i++) {
      roundTrips.push(await benchRoundTrips(stack, settings.roundTrips.requests));
    }
    log(`redis: ${roundTrips.map((r) => r.perRequest.toFixed(2)).join(', ')} commands per request`);
    const profile = settings.profile ? await benchProfile(stack, settings.profile) : null;
    const storm = await benchStorm(stack, settings.storm);
    const startup = await benchStartup(stack, settings.startupRuns);
    const memory = await benchMemory(stack, settings.memory);
    return {
      startedAt,
      durationSec: (performance.now() - t0) / 1000,
      machine,
      settings,
      dashboard,
      syscalls,
      roundTrips,
      storm,
      startup,
      memory,
      profile,
    };
  } finally {
    await closeStack(stack);
  }
}

async function main(): Promise<void> {
  const results = await measure();
  const figs = figures(results);
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2));
  await writeDocs(generatedMarkdown(results, figs));
  process.stdout.write(`\n${consoleTable(figs)}\n\n`);
  log(`wrote ${path.relative(ROOT, DOCS_FILE)} and ${path.relative(ROOT, RESULTS_FILE)}`);
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    await stopAll().catch(() => undefined);
    process.exit(1);
  },
);
