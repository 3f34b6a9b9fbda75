import type { ClusterResult } from './cluster';
import { NAMES, PARTS, type DashboardResult } from './dashboard';
import type { MemoryResult, StartupResult } from './footprint';
import type { RedisCommandsResult } from './redis-commands';
import type { Settings } from './settings';
import type { Spread } from './stats';
import type { StormResult } from './storm';

/** The printed report: Markdown tables, so that a run can be pasted into docs/benchmarks.md. */

export interface Results {
  readonly date: string;
  readonly quick: boolean;
  readonly seconds: number;
  readonly machine: { cpu: string; cores: number; node: string; redis: string; kernel: string };
  readonly settings: Settings;
  readonly dashboard: readonly DashboardResult[];
  readonly storm: StormResult;
  readonly redisCommands: RedisCommandsResult;
  readonly startup: StartupResult;
  readonly memory: MemoryResult;
  readonly cluster: ClusterResult;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const n = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
/** "median (min–max)" */
const r = (s: Spread, digits = 1): string =>
  `${n(s.median, digits)} (${n(s.min, digits)}–${n(s.max, digits)})`;

function summary(x: Results): string {
  const d = x.dashboard[0];
  if (!d) return '';
  const grants = x.storm.summaries.flatMap((s) => s.grants);
  const failed = x.storm.summaries.reduce((sum, s) => sum + s.failed, 0);
  const cmds = x.redisCommands.perRequest;
  const cluster = x.cluster.storm.summaries;
  const [cg, cf] = [cluster.flatMap((s) => s.grants), cluster.reduce((k, s) => k + s.failed, 0)];
  const clusterOk = cg.every((g) => g === 1) && cf === 0;
  const m = x.memory;
  const c = `c=${d.connections}`;
  // [figure, value, target, met?]: the CPU ratio first.
  const rows: [string, string, string, boolean?][] = [
    [
      `CPU ratio: baseline ÷ app CPU/req, ${c}`,
      r(d.cpuRatio, 2),
      '≥ 0.55',
      d.cpuRatio.median >= 0.55,
    ],
    [`req/s ratio: app ÷ baseline, ${c}`, r(d.rpsRatio, 2), ''],
    [`p99 ratio: app ÷ baseline, ${c}`, r(d.p99Ratio, 2), '≤ 1.5', d.p99Ratio.median <= 1.5],
    [
      'Refresh storm: grants, each trial',
      grants.join(' '),
      'exactly 1',
      grants.every((g) => g === 1),
    ],
    ['Refresh storm: failed requests', String(failed), '0', failed === 0],
    ['Redis Cluster: storm grants; failed', `${cg.join(' ')}; ${cf}`, 'exactly 1; 0', clusterOk],
    // The session, the token record, and the removal history (one HGETALL), all pipelined.
    ['Redis commands per warm GET /', n(cmds, 2), '3', cmds <= 3],
    ['Start-up: spawn → /readyz 200 (ms)', r(x.startup.readyMs, 0), ''],
    [`Peak RSS, ${m.sessions} sessions (MB)`, n(m.peakRssMb), '< 200', m.peakRssMb < 200],
  ];
  const met = (ok?: boolean): string => (ok === undefined ? '' : ok ? 'yes' : '**no**');
  const cells = rows.map(([figure, value, target, ok]) => [figure, value, target, met(ok)]);
  return table(['figure', 'median (min–max)', 'target', 'met'], cells);
}

function dashboard(d: DashboardResult): string {
  const both = (f: (s: DashboardResult['app']) => string): string[] => [f(d.app), f(d.baseline)];
  const rows = [
    ['req/s', ...both((s) => r(s.rps, 0))],
    ['p50 (ms)', ...both((s) => r(s.p50))],
    ['p99 (ms)', ...both((s) => r(s.p99))],
    ['failed (non-2xx, errors)', ...both((s) => String(s.failed))],
    ...PARTS.map((p) => [`CPU ms/req: ${NAMES[p]}`, ...both((s) => r(s.cpuMsPerRequest[p], 3))]),
    ['CPU ms/req: all of these', ...both((s) => r(s.stackCpuMsPerRequest, 3))],
    ['other load: processes, steal (cores)', ...both((s) => r(s.otherCores, 2))],
  ];
  return [
    `#### Dashboard: signed-in GET /, c=${d.connections}, ${d.rounds.length / 2} rounds of ${d.roundSec} s per server`,
    '',
    table(['', 'app', 'baseline'], rows),
    '',
    `Peak RSS (VmHWM) of the app process after these rounds: ${n(d.appPeakRssMb)} MB.`,
  ].join('\n');
}

function storm(s: StormResult): string {
  const header = ['processes', 'grants', 'failed', 'p99 (ms)', 'control p99', 'added p99'];
  const rows = s.summaries.map((x) => [
    ...[String(x.processes), x.grants.join(' '), String(x.failed)],
    ...[r(x.p99, 0), r(x.controlP99, 0), r(x.addedP99, 0)],
  ]);
  const title = `#### Refresh storm: ${s.requests} GET / at once, token endpoint slowed ${s.tokenDelayMs} ms`;
  return [title, '', table(header, rows)].join('\n');
}

function footprint(x: Results): string {
  const { memory: m, startup, redisCommands: rc } = x;
  const commands = Object.entries(rc.byCommand)
    .sort()
    .map(([c, k]) => `${c} ${n(k, 2)}`);
  const rows = [
    ['Redis commands per warm GET /', `${n(rc.perRequest, 2)}: ${commands.join(', ')}`],
    [`Start-up: spawn → /readyz 200 (ms), ${startup.runs.length} runs`, r(startup.readyMs, 0)],
    ['Start-up: RSS at that moment (MB)', r(startup.rssMb)],
    ['Memory: RSS of a fresh process after 2 requests (MB)', n(m.idleRssMb)],
    [`Memory: peak RSS, ${m.sessions} sessions at c=${m.connections} (MB)`, n(m.peakRssMb)],
    [
      'Memory: req/s, failed, Zoom calls per answer (≈ 1: all signed in)',
      `${n(m.load.rps, 0)}, ${m.load.non2xx + m.load.errors}, ${n(m.zoomCallsPerRequest, 2)}`,
    ],
  ];
  return ['#### Redis, start-up, memory', '', table(['figure', 'value'], rows)].join('\n');
}

export function clusterSection(c: ClusterResult): string {
  const [{ app: a, connections, rounds, roundSec }, w] = [c.dashboard, c.replicaWait];
  const acks = Object.entries(w.outcomes).map(([outcome, k]) => `${k} ${outcome}`);
  const rows = [
    [`Dashboard, c=${connections}, ${rounds.length} × ${roundSec} s: req/s`, r(a.rps, 0)],
    ['Dashboard: p99 (ms)', r(a.p99)],
    ['Dashboard: CPU ms/req, app server', r(a.cpuMsPerRequest.app, 3)],
    [`Dashboard: CPU ms/req, ${c.nodes} redis-servers`, r(a.cpuMsPerRequest.redis, 3)],
    ['Dashboard: other load: processes, steal (cores)', r(a.otherCores, 2)],
    ...c.storm.summaries.flatMap((x) => [
      [`Storm on ${x.processes} processes: grants, failed`, `${x.grants.join(' ')}, ${x.failed}`],
      ['Storm: added p99 (ms)', r(x.addedP99, 0)],
    ]),
    [`Replica wait, ${w.waits} SETs: median, p99 (ms)`, `${n(w.medianMs, 2)}, ${n(w.p99Ms, 2)}`],
    ['Replica wait: outcomes', acks.join(', ')],
  ];
  const title = '#### Redis Cluster (3 primaries, 1 replica each)';
  return [title, '', table(['figure', 'median (min–max)'], rows), ''].join('\n');
}

export function report(x: Results): string {
  const m = x.machine;
  const kind = x.quick ? 'BENCH_QUICK=1: shortened, not figures to quote' : 'full run';
  const dashboards = [...x.dashboard, x.cluster.dashboard];
  const others = dashboards.flatMap((d) => [d.app.otherCores.max, d.baseline.otherCores.max]);
  const noise = Math.max(...others);
  return [
    `### npm run bench, ${x.date} (${kind}, ${n(x.seconds, 0)} s)`,
    '',
    `Machine: ${m.cpu} (${m.cores} cores), Linux ${m.kernel}, Node ${m.node}, Redis ${m.redis}.`,
    ...(noise > 0.1
      ? ['', `**Noisy:** other processes or the hypervisor took up to ${n(noise, 2)} cores.`]
      : []),
    '',
    summary(x),
    ...x.dashboard.flatMap((d) => ['', dashboard(d)]),
    ...['', storm(x.storm), '', footprint(x), '', clusterSection(x.cluster)],
  ].join('\n');
}
