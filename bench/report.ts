import type { ClusterResult } from './cluster';
import { NAMES, PARTS, type DashboardResult } from './dashboard';
import type { Results } from './run';
import type { Spread } from './stats';

/** The printed report: Markdown tables, so that a run can be pasted into docs/benchmarks.md. */

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
const met = (ok: boolean): string => (ok ? 'yes' : '**no**');

/** Every figure with a target, and whether this run met it. */
function summary(x: Results): string {
  const [d, { storm, redisCommands: rc, startup, memory: m }] = [x.dashboard[0], x];
  if (!d) return '';
  const grants = storm.summaries.flatMap((s) => s.grants);
  const failed = storm.summaries.reduce((sum, s) => sum + s.failed, 0);
  const cluster = x.cluster.storm.summaries;
  const [cg, cf] = [cluster.flatMap((s) => s.grants), cluster.reduce((k, s) => k + s.failed, 0)];
  const commands = Object.entries(rc.byCommand).map(([c, k]) => `${c} ${n(k, 2)}`);
  const c = `c=${d.connections}`;
  return table(
    ['figure', 'median (min–max)', 'target', 'met'],
    [
      [
        `CPU ratio: baseline ÷ app CPU/req, ${c}`,
        r(d.cpuRatio, 2),
        '≥ 0.55',
        met(d.cpuRatio.median >= 0.55),
      ],
      [`req/s ratio: app ÷ baseline, ${c}`, r(d.rpsRatio, 2), '', ''],
      [`p99 ratio: app ÷ baseline, ${c}`, r(d.p99Ratio, 2), '≤ 1.5', met(d.p99Ratio.median <= 1.5)],
      [
        'Refresh storm: grants, each trial',
        grants.join(' '),
        'exactly 1',
        met(grants.every((g) => g === 1)),
      ],
      ['Refresh storm: failed requests', String(failed), '0', met(failed === 0)],
      [
        'Redis Cluster: storm grants; failed',
        `${cg.join(' ')}; ${cf}`,
        'exactly 1; 0',
        met(cg.every((g) => g === 1) && cf === 0),
      ],
      // The session, the token record and the removal history, pipelined.
      [
        'Redis commands per warm GET /',
        `${n(rc.perRequest, 2)}: ${commands.sort().join(', ')}`,
        '3',
        met(rc.perRequest <= 3),
      ],
      [
        `Start-up: spawn → /readyz 200 (ms), RSS then (MB)`,
        `${r(startup.readyMs, 0)}, ${r(startup.rssMb)}`,
        '',
        '',
      ],
      [
        `Peak RSS, ${m.sessions} sessions at c=${m.connections} (MB)`,
        n(m.peakRssMb),
        '< 200',
        met(m.peakRssMb < 200),
      ],
    ],
  );
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
    ['peak RSS of the app process (MB)', n(d.appPeakRssMb), ''],
  ];
  const title = `#### Dashboard: signed-in GET /, c=${d.connections}, ${d.rounds.length / 2} rounds of ${d.roundSec} s per server`;
  return [title, '', table(['', 'app', 'baseline'], rows)].join('\n');
}

function storm(x: Results): string {
  const { requests, tokenDelayMs, summaries } = x.storm;
  const rows = summaries.map((s) => [
    ...[String(s.processes), s.grants.join(' '), String(s.failed)],
    ...[r(s.p99, 0), r(s.controlP99, 0), r(s.addedP99, 0)],
  ]);
  const title = `#### Refresh storm: ${requests} GET / at once, token endpoint slowed ${tokenDelayMs} ms`;
  const header = ['processes', 'grants', 'failed', 'p99 (ms)', 'control p99', 'added p99'];
  return [title, '', table(header, rows)].join('\n');
}

export function clusterSection(c: ClusterResult): string {
  const [{ app: a, connections, rounds, roundSec }, w] = [c.dashboard, c.replicaWait];
  const rows = [
    [`Dashboard, c=${connections}, ${rounds.length} × ${roundSec} s: req/s`, r(a.rps, 0)],
    ['Dashboard: p99 (ms)', r(a.p99)],
    ['Dashboard: CPU ms/req, app server', r(a.cpuMsPerRequest.app, 3)],
    [`Dashboard: CPU ms/req, ${c.nodes} redis-servers`, r(a.cpuMsPerRequest.redis, 3)],
    ['Dashboard: other load: processes, steal (cores)', r(a.otherCores, 2)],
    ...c.storm.summaries.flatMap((s) => [
      [`Storm on ${s.processes} processes: grants, failed`, `${s.grants.join(' ')}, ${s.failed}`],
      ['Storm: added p99 (ms)', r(s.addedP99, 0)],
    ]),
    [`Replica wait, ${w.waits} SETs: median, p99 (ms)`, `${n(w.medianMs, 2)}, ${n(w.p99Ms, 2)}`],
    [
      'Replica wait: outcomes',
      Object.entries(w.outcomes)
        .map(([o, k]) => `${k} ${o}`)
        .join(', '),
    ],
  ];
  const title = '#### Redis Cluster (3 primaries, 1 replica each)';
  return [title, '', table(['figure', 'median (min–max)'], rows), ''].join('\n');
}

export function report(x: Results): string {
  const m = x.machine;
  const kind = x.quick ? 'BENCH_QUICK=1: shortened, not figures to quote' : 'full run';
  const dashboards = [...x.dashboard, x.cluster.dashboard];
  const noise = Math.max(
    ...dashboards.flatMap((d) => [d.app.otherCores.max, d.baseline.otherCores.max]),
  );
  return [
    `### npm run bench, ${x.date} (${kind}, ${n(x.seconds, 0)} s)`,
    '',
    `Machine: ${m.cpu} (${m.cores} cores), Linux ${m.kernel}, Node ${m.node}, Redis ${m.redis}.`,
    ...(noise > 0.1
      ? ['', `**Noisy:** other processes or the hypervisor took up to ${n(noise, 2)} cores.`]
      : []),
    ...['', summary(x), ...x.dashboard.flatMap((d) => ['', dashboard(d)])],
    ...['', storm(x), '', clusterSection(x.cluster)],
  ].join('\n');
}
