import type { Capacity, SweepRun } from './capacity';
import type { ClusterResult } from './cluster';
import { NAMES, PARTS, type DashboardResult } from './dashboard';
import { sum, type Spread } from './measure';
import type { Results } from './run';

/** The printed report: Markdown tables, so that a run can be pasted into docs/benchmarks.md. */
function section(title: string, header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  const table = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  return [...(title ? [title, ''] : []), ...table].join('\n');
}
const n = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const r = (s: Spread, digits = 1): string =>
  `${n(s.median, digits)} (${n(s.min, digits)}–${n(s.max, digits)})`;
/** A figure, its value, its target and whether this run met it. */
function row(figure: string, value: string, target = '', ok?: boolean): string[] {
  return [figure, value, target, ok === undefined ? '' : ok ? 'yes' : '**no**'];
}
const mark = (ok: boolean): string => (ok ? '' : ' **missed**');

/** The figures with a target, but the dashboard's; start-up and memory on each node. */
function summary(x: Results): string {
  const [{ storm, redisCommands: rc, settings: s }, cluster] = [x, x.cluster.storm.summaries];
  const grants = storm.summaries.flatMap((t) => t.grants);
  const failed = sum(storm.summaries.map((t) => t.failed));
  const [cg, cf] = [cluster.flatMap((t) => t.grants), sum(cluster.map((t) => t.failed))];
  const [grantsMet, clusterMet] = [grants.every((g) => g === 1), cg.every((g) => g === 1) && !cf];
  const commands = Object.entries(rc.byCommand).map(([c, k]) => `${c} ${n(k, 2)}`);
  const perRequest = `${n(rc.perRequest, 2)}: ${commands.sort().join(', ')}`;
  const ready = (t: Results['startup'][number]) => `${r(t.readyMs, 0)}, ${r(t.rssMb)}`;
  const peak = `${s.sessions} sessions at c=${s.memoryConnections} (MB)`;
  const header = ['figure', 'median (min–max)', 'target', 'met'];
  return section('', header, [
    row('Refresh storm: grants, each trial', grants.join(' '), 'exactly 1', grantsMet),
    row('Refresh storm: failed requests', String(failed), '0', failed === 0),
    row(
      'Redis Cluster: storm grants; failed',
      `${cg.join(' ')}; ${cf}`,
      'exactly 1; 0',
      clusterMet,
    ),
    // Read at once: the session, the token record, the ledger and the assistants' ends; a write
    // (EVAL) only when the lists changed, or to date the lists seen, at most once a minute.
    row(
      'Redis commands per warm GET /',
      perRequest,
      '4 reads',
      rc.perRequest - (rc.byCommand['eval'] ?? 0) - (rc.byCommand['evalsha'] ?? 0) <= 4,
    ),
    ...x.startup.map((t) =>
      row(`Start-up, Node ${t.node}: → /readyz 200 (ms), RSS (MB)`, ready(t)),
    ),
    ...x.memory.map((m) =>
      row(`Peak RSS, Node ${m.node}, ${peak}`, n(m.peakRssMb), '< 200', m.peakRssMb < 200),
    ),
  ]);
}
type Line = DashboardResult['lines'][number];

/** Each node's app and baseline side by side; the ratios, with their targets, under the app. */
export function dashboard(d: DashboardResult): string {
  const each = (f: (s: Line['app']) => string) => d.lines.flatMap((l) => [f(l.app), f(l.baseline)]);
  const apps = (f: (l: Line) => string) => d.lines.flatMap((l) => [f(l), '']);
  const cpuRatio = (l: Line): string => r(l.cpuRatio, 2) + mark(l.cpuRatio.median >= 0.55);
  const p99Ratio = (l: Line): string => r(l.p99Ratio, 2) + mark(l.p99Ratio.median <= 1.5);
  const rounds = Math.max(...d.rounds.map((x) => x.round));
  const title = `#### Dashboard: signed-in GET /, c=${d.connections}, ${rounds} rounds of ${d.roundSec} s per server`;
  const header = ['', ...d.lines.flatMap((l) => [`app, Node ${l.node}`, `baseline, ${l.node}`])];
  return section(title, header, [
    ['req/s', ...each((s) => r(s.rps, 0))],
    ['p50 (ms)', ...each((s) => r(s.p50))],
    ['p99 (ms)', ...each((s) => r(s.p99))],
    ['failed (non-2xx, errors)', ...each((s) => String(s.failed))],
    ...PARTS.map((p) => [`CPU ms/req: ${NAMES[p]}`, ...each((s) => r(s.cpuMsPerRequest[p], 3))]),
    ['CPU ms/req: all of these', ...each((s) => r(s.stackCpuMsPerRequest, 3))],
    ['other load: processes, steal (cores)', ...each((s) => r(s.otherCores, 2))],
    ['peak RSS of the app process (MB)', ...apps((l) => n(l.appPeakRssMb))],
    ['CPU ratio: baseline ÷ app CPU/req (≥ 0.55)', ...apps(cpuRatio)],
    ['req/s ratio: app ÷ baseline', ...apps((l) => r(l.rpsRatio, 2))],
    ['p99 ratio: app ÷ baseline (≤ 1.5)', ...apps(p99Ratio)],
  ]);
}

function storm({ storm: { requests, tokenDelayMs, summaries } }: Results): string {
  const title = `#### Refresh storm: ${requests} GET / at once, token endpoint slowed ${tokenDelayMs} ms`;
  const header = ['processes', 'grants', 'failed', 'p99 (ms)', 'control p99', 'added p99'];
  const rows = summaries.map((s) => [
    ...[String(s.processes), s.grants.join(' '), String(s.failed)],
    ...[r(s.p99, 0), r(s.controlP99, 0), r(s.addedP99, 0)],
  ]);
  return section(title, header, rows);
}

export function clusterSection(c: ClusterResult): string {
  const [{ connections, rounds, roundSec, lines }, w] = [c.dashboard, c.replicaWait];
  const a = lines[0]?.app;
  if (!a) return '';
  const outcomes = Object.entries(w.outcomes).map(([o, k]) => `${k} ${o}`);
  const title = '#### Redis Cluster (3 primaries, 1 replica each)';
  const table = section(
    title,
    ['figure', 'median (min–max)'],
    [
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
      ['Replica wait: outcomes', outcomes.join(', ')],
    ],
  );
  return `${table}\n`;
}

/** Issue #26's figures: bytes per user, Zoom calls per action, the sweep paced and not. */
export function capacitySection(c: Capacity): string {
  const a = c.actions;
  const bytes = (b: { total: number; byKey: Record<string, number> }): string =>
    `${b.total}: ${Object.entries(b.byKey)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`;
  const sweepRows = (label: string, s: SweepRun): string[][] => [
    [`${label}: grants (revoked at Zoom)`, `${s.grants} (${s.revoked})`],
    [`${label}: wall (s); CPU (s)`, `${n(s.wallSec)}; ${n(s.cpuSec)}`],
    [`${label}: Zoom calls/s`, n(s.zoomCallsPerSec)],
    [`${label}: grants/s`, n(s.grants / s.wallSec)],
    [`${label}: peak RSS (MB)`, n(s.peakRssMb)],
    [`${label}: Redis commands per grant`, n(s.redisCommandsPerGrant, 2)],
    [`${label}: token-endpoint connections`, String(s.tokenConnections)],
    [
      `${label}: due ends seeded; removed (the run's count); removals at Zoom`,
      `${s.dueEnds}; ${s.endsRemoved}; ${s.zoomRemovals}`,
    ],
    [`${label}: other load (cores)`, n(s.otherLoadCores, 2)],
  ];
  const paced = c.paced;
  const at10k = (10_000 / paced.grants) * paced.wallSec;
  const table = section(
    `#### Capacity (issue #26), ${c.after.at}`,
    ['figure', 'value'],
    [
      [
        'load average before; after (1, 5, 15 min)',
        `${c.before.loadAverage.join(' ')}; ${c.after.loadAverage.join(' ')}`,
      ],
      ['Redis bytes, a typical user (ada after a few actions)', bytes(a.typical)],
      [
        `Redis bytes, a user at the limits (30 assistants, ${c.atLimits.cycles} × remove all + undo)`,
        bytes(c.atLimits),
      ],
      ['Zoom calls: view', String(a.view)],
      ['Zoom calls: remove one', String(a.removeOne)],
      ['Zoom calls: undo', String(a.undo)],
      ['Zoom calls: remove all', String(a.removeAll)],
      ['Zoom calls: step down', String(a.stepDown)],
      ['Zoom calls: add (with an end)', String(a.add)],
      ...sweepRows('Sweep at the default pace (10/s)', paced),
      [
        'Sweep at 10/s: 10,000 and 100,000 grants, extrapolated (min)',
        `${n(at10k / 60)}; ${n((10 * at10k) / 60)}`,
      ],
      ...sweepRows('Sweep unpaced', c.unpaced),
    ],
  );
  return `${table}\n`;
}

export function report(x: Results): string {
  const m = x.machine;
  const kind = x.quick ? 'BENCH_QUICK=1: shortened, not figures to quote' : 'full run';
  const lines = [...x.dashboard, x.cluster.dashboard].flatMap((d) => d.lines);
  const noise = Math.max(...lines.flatMap((l) => [l.app, l.baseline].map((s) => s.otherCores.max)));
  const noisy = `**Noisy:** other processes or the hypervisor took up to ${n(noise, 2)} cores.`;
  return [
    `### npm run bench, ${x.date} (${kind}, ${n(x.seconds, 0)} s)`,
    '',
    `Machine: ${m.cpu} (${m.cores} cores), Linux ${m.kernel}, Node ${m.node}, Redis ${m.redis}.`,
    ...(noise > 0.1 ? ['', noisy] : []),
    ...['', summary(x), ...x.dashboard.flatMap((d) => ['', dashboard(d)])],
    ...['', storm(x), '', capacitySection(x.capacity), '', clusterSection(x.cluster)],
  ].join('\n');
}
