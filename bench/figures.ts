import type { DashboardRun, DashboardRuns } from './dashboard';
import { fmt, median, spread, spreadOf, type Spread } from './lib/stats';
import type { BenchResults } from './results';
import type { StormResult } from './storm';

/** The figures of a run as rows: value spread, target, met or not, and evidence when not. */

export interface Figure {
  readonly section: string;
  readonly label: string;
  readonly spread: Spread;
  readonly decimals: number;
  readonly target?: string;
  readonly met?: boolean;
  /** Measured facts that explain a missed target. */
  readonly evidence?: string;
}

const TARGETS = {
  ratio: 0.7,
  p99DeltaMs: 5,
  grants: 1,
  stormAddedMs: 20,
  redisCommands: 2,
  startupMs: 1000,
  rssMb: 100,
};

function pairs(d: DashboardRuns, f: (a: DashboardRun, b: DashboardRun) => number): number[] {
  return d.app.map((a, i) => {
    const b = d.baseline[i];
    return b ? f(a, b) : Number.NaN;
  });
}

function cpu(runs: readonly DashboardRun[], label: string): number {
  return median(runs.map((r) => r.cpuMsPerRequest[label] ?? Number.NaN));
}

function dashboardEvidence(d: DashboardRuns, r: BenchResults): string {
  const app = cpu(d.app, 'server');
  const base = cpu(d.baseline, 'server');
  const sandbox = cpu(d.app, 'sandbox');
  const redis = cpu(d.app, 'redis');
  const loadgen = cpu(d.app, 'loadgen');
  const rps = median(d.app.map((x) => x.rps));
  const total = app + sandbox + redis + loadgen;
  const cores = (total * rps) / 1000;
  const others = median([...d.app, ...d.baseline].map((x) => x.otherCores));
  const top = r.profile?.summary.areas
    .slice(0, 4)
    .map((a) => `${a.name} ${fmt(a.percent)}%`)
    .join(', ');
  return (
    `CPU per request (median): app process ${fmt(app, 2)} ms vs baseline ${fmt(base, 2)} ms ` +
    `(${fmt(app / base, 1)}×); the sandbox ${fmt(sandbox, 2)} ms, redis ${fmt(redis, 2)} ms and ` +
    `autocannon ${fmt(loadgen, 2)} ms share the same ${r.machine.cores} cores, so at ${fmt(rps, 0)} req/s ` +
    `the stack uses ${fmt(cores, 2)} of ${r.machine.cores} cores: the run is CPU-bound and the app's ` +
    `extra CPU per request sets both its throughput and its queueing latency. Processes outside ` +
    `the bench used ${fmt(others, 2)} cores meanwhile (median).` +
    (top ? ` Profile (self time of the app process): ${top}.` : '')
  );
}

/** Little's law: in a closed loop of c connections, mean latency = c / throughput. */
function queueingEvidence(d: DashboardRuns): string {
  const appRps = median(d.app.map((a) => a.rps));
  const baseRps = median(d.baseline.map((b) => b.rps));
  const appCpu = cpu(d.app, 'server');
  const baseCpu = cpu(d.baseline, 'server');
  return (
    `queueing, not a slow step: with ${d.concurrency} connections always busy, mean latency is ` +
    `${d.concurrency} / throughput = ${fmt((1000 * d.concurrency) / appRps)} ms for the app and ` +
    `${fmt((1000 * d.concurrency) / baseRps)} ms for the baseline; the tail grows with it. Each app ` +
    `request costs ${fmt(appCpu, 2)} ms of CPU in the app process vs ${fmt(baseCpu, 2)} ms in the ` +
    `baseline (see the ratio's evidence).`
  );
}

function dashboardFigures(r: BenchResults): Figure[] {
  const out: Figure[] = [];
  for (const d of r.dashboard) {
    const section = `Dashboard c=${d.concurrency}`;
    const ratio = spread(pairs(d, (a, b) => a.rps / b.rps));
    const p99Delta = spread(pairs(d, (a, b) => a.p99 - b.p99));
    const failures = spread(d.app.map((a) => a.non2xx + a.errors + a.timeouts + a.mismatches));
    const evidence = dashboardEvidence(d, r);
    out.push(
      { section, label: 'App req/s', spread: spreadOf(d.app, (a) => a.rps), decimals: 0 },
      { section, label: 'Baseline req/s', spread: spreadOf(d.baseline, (b) => b.rps), decimals: 0 },
      {
        section,
        label: 'Ratio app/baseline',
        spread: ratio,
        decimals: 2,
        target: `≥ ${TARGETS.ratio}`,
        met: ratio.median >= TARGETS.ratio,
        evidence,
      },
      { section, label: 'App p50 (ms)', spread: spreadOf(d.app, (a) => a.p50), decimals: 1 },
      {
        section,
        label: 'Baseline p50 (ms)',
        spread: spreadOf(d.baseline, (b) => b.p50),
        decimals: 1,
      },
      { section, label: 'App p99 (ms)', spread: spreadOf(d.app, (a) => a.p99), decimals: 1 },
      {
        section,
        label: 'Baseline p99 (ms)',
        spread: spreadOf(d.baseline, (b) => b.p99),
        decimals: 1,
      },
      {
        section,
        label: 'App p99 − baseline p99 (ms)',
        spread: p99Delta,
        decimals: 1,
        target: `≤ ${TARGETS.p99DeltaMs}`,
        met: p99Delta.median <= TARGETS.p99DeltaMs,
        evidence: queueingEvidence(d),
      },
      {
        section,
        label: 'App failed requests',
        spread: failures,
        decimals: 0,
        target: '0',
        met: failures.max === 0,
      },
      {
        section,
        label: 'App peak RSS (MB)',
        spread: spreadOf(d.app, (a) => a.peakRssMb),
        decimals: 1,
        target: `≤ ${TARGETS.rssMb}`,
        met: spreadOf(d.app, (a) => a.peakRssMb).max <= TARGETS.rssMb,
        evidence: `the same cause as in the memory section: ${memoryEvidence(r)}`,
      },
    );
  }
  return out;
}

function stormFigures(s: StormResult, refreshMs: number): Figure[] {
  const section = `Refresh storm, ${s.processes} process${s.processes === 1 ? '' : 'es'}`;
  const all = [...s.trials, ...s.lone];
  const grants = spreadOf(all, (t) => t.grants);
  const failed = spreadOf(all, (t) => t.failed);
  const net = spreadOf(s.trials, (t) => t.addedNetMs);
  const p99 = spreadOf(s.trials, (t) => t.p99);
  const control = spreadOf(s.trials, (t) => t.controlP99);
  const failures = [...new Set(s.trials.flatMap((t) => t.failures))];
  return [
    {
      section,
      label: 'Token grants per expiry',
      spread: grants,
      decimals: 0,
      target: 'exactly 1',
      met: all.every((t) => t.grants === TARGETS.grants),
      evidence: `grants per trial: ${all.map((t) => t.grants).join(', ')}`,
    },
    {
      section,
      label: 'Failed requests',
      spread: failed,
      decimals: 0,
      target: '0',
      met: failed.max === 0,
      evidence: `failures: ${failures.join('; ') || 'none'}`,
    },
    { section, label: 'Storm p99 (ms)', spread: p99, decimals: 1 },
    { section, label: 'Control burst p99, fresh token (ms)', spread: control, decimals: 1 },
    {
      section,
      label: 'p99 − refresh call (ms)',
      spread: spreadOf(s.trials, (t) => t.addedRawMs),
      decimals: 1,
    },
    {
      section,
      label: 'Waiters’ added p99 (ms)',
      spread: net,
      decimals: 1,
      target: `≤ ${TARGETS.stormAddedMs}`,
      met: net.median <= TARGETS.stormAddedMs,
      evidence:
        `storm p99 ${fmt(p99.median)} ms = refresh call ${fmt(refreshMs)} ms + ` +
        `the same burst with a fresh token ${fmt(control.median)} ms + ${fmt(net.median)} ms`,
    },
    {
      section,
      label: `Refresh overhead, ${s.processes} lone request${s.processes === 1 ? '' : 's'} (ms)`,
      spread: spreadOf(s.lone, (t) => t.overheadMs),
      decimals: 1,
    },
  ];
}

function memoryEvidence(r: BenchResults): string {
  const m = (f: (run: BenchResults['memory']['runs'][number]) => number): number =>
    median(r.memory.runs.map(f));
  const idle = m((x) => x.idleRssMb);
  const before = m((x) => x.gc.maxUsedBeforeFullGcMb);
  const live = m((x) => x.gc.liveAfterLastFullGcMb);
  const verdict =
    live * 2 < before
      ? 'most of the heap at its peak was garbage not yet collected, not retained data'
      : 'most of the heap at its peak was live data';
  return (
    `idle ${fmt(idle)} MB → peak ${fmt(m((x) => x.peakRssMb))} MB. V8 (--trace-gc): the heap ` +
    `reached ${fmt(before)} MB in use before a full GC and ${fmt(m((x) => x.gc.maxCommittedMb))} MB ` +
    `committed, with ${fmt(live)} MB live after the last full GC: ${verdict}; the process ` +
    `already idles at ${fmt(idle)} MB.`
  );
}

function otherFigures(r: BenchResults): Figure[] {
  const trips = spreadOf(r.roundTrips, (t) => t.perRequest);
  const commands = r.roundTrips[0]?.commands.map((c) => `${c.shape} ×${fmt(c.perRequest, 2)}`);
  const ready = spreadOf(r.startup, (s) => s.readyMs);
  const memPeak = spreadOf(r.memory.runs, (m) => m.peakRssMb);
  const memFailed = spreadOf(r.memory.runs, (m) => m.failed);
  return [
    {
      section: 'Redis',
      label: 'Commands per warm GET /',
      spread: trips,
      decimals: 2,
      target: `≤ ${TARGETS.redisCommands}`,
      met: trips.median <= TARGETS.redisCommands,
      evidence: `commands: ${commands?.join(', ') ?? 'none'}`,
    },
    {
      section: 'Start-up',
      label: 'Spawn → /readyz 200 (ms)',
      spread: ready,
      decimals: 0,
      target: `≤ ${TARGETS.startupMs}`,
      met: ready.median <= TARGETS.startupMs,
      evidence: `runs: ${r.startup.map((s) => fmt(s.readyMs, 0)).join(', ')} ms`,
    },
    {
      section: 'Start-up',
      label: 'RSS at first /readyz 200 (MB)',
      spread: spreadOf(r.startup, (s) => s.idleRssMb),
      decimals: 1,
    },
    {
      section: `Memory, ${r.memory.sessions} sessions`,
      label: 'Idle RSS (MB)',
      spread: spreadOf(r.memory.runs, (m) => m.idleRssMb),
      decimals: 1,
    },
    {
      section: `Memory, ${r.memory.sessions} sessions`,
      label: `Peak RSS under load, c=${r.settings.memory.connections} (MB)`,
      spread: memPeak,
      decimals: 1,
      target: `≤ ${TARGETS.rssMb}`,
      met: memPeak.max <= TARGETS.rssMb,
      evidence: memoryEvidence(r),
    },
    {
      section: `Memory, ${r.memory.sessions} sessions`,
      label: 'Failed requests',
      spread: memFailed,
      decimals: 0,
      target: '0',
      met: memFailed.max === 0,
    },
  ];
}

export function figures(r: BenchResults): Figure[] {
  return [
    ...dashboardFigures(r),
    ...r.storm.results.flatMap((s) => stormFigures(s, r.storm.refreshCallMs)),
    ...otherFigures(r),
  ];
}
