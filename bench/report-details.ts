import { fmt } from './lib/stats';
import { table } from './lib/markdown';
import { SOCKET_WRITES_AREA } from './profile-summary';
import type { BenchResults } from './results';

/** The detail sections of the generated docs: every run, trial and count behind the summary. */

export function dashboardDetails(r: BenchResults): string {
  const rows = r.dashboard.flatMap((d) =>
    d.app.map((a, i) => {
      const b = d.baseline[i];
      return [
        d.concurrency,
        i + 1,
        fmt(a.rps, 0),
        fmt(a.p50),
        fmt(a.p99),
        fmt(b?.rps ?? Number.NaN, 0),
        fmt(b?.p50 ?? Number.NaN),
        fmt(b?.p99 ?? Number.NaN),
        fmt(a.rps / (b?.rps ?? Number.NaN), 2),
        fmt(a.cpuMsPerRequest.server ?? Number.NaN, 2),
        fmt(b?.cpuMsPerRequest.server ?? Number.NaN, 2),
        fmt(a.cpuMsPerRequest.sandbox ?? Number.NaN, 2),
        fmt(a.cpuMsPerRequest.redis ?? Number.NaN, 3),
        fmt(a.cpuMsPerRequest.loadgen ?? Number.NaN, 2),
        `${fmt(a.otherCores, 2)} / ${fmt(b?.otherCores ?? Number.NaN, 2)}`,
      ];
    }),
  );
  return table(
    [
      'c',
      'run',
      'app req/s',
      'app p50',
      'app p99',
      'base req/s',
      'base p50',
      'base p99',
      'ratio',
      'app CPU ms/req',
      'base CPU ms/req',
      'sandbox CPU ms/req',
      'redis CPU ms/req',
      'autocannon CPU ms/req',
      'other processes, cores (app / base run)',
    ],
    rows,
  );
}

export function stormDetails(r: BenchResults): string {
  const s = r.storm;
  const rows = s.results.flatMap((res) =>
    res.trials.map((t, i) => [
      res.processes,
      i + 1,
      t.grants,
      t.failed,
      fmt(t.p50),
      fmt(t.p99),
      fmt(t.controlP99),
      fmt(t.addedRawMs),
      fmt(t.addedNetMs),
    ]),
  );
  return [
    `Refresh call: ${fmt(s.refreshCallMs)} ms = the injected ${s.tokenDelayMs} ms + the token endpoint's own round trip ` +
      `(${fmt(s.tokenEndpointMs, 2)} ms, median of direct calls). "Added" = storm p99 − refresh call (raw), and ` +
      `also minus the p99 of the same ${s.requests}-request burst with a fresh token (mean of one run just before and one just after; net: what ` +
      `waiting for the refresh adds beyond the burst's own queueing on this machine).`,
    '',
    table(
      [
        'processes',
        'trial',
        'grants',
        'failed',
        'p50',
        'p99',
        'control p99',
        'added raw',
        'added net',
      ],
      rows,
    ),
    '',
    `Lone requests: one request per process at once (no crowd, so no queueing), stale token vs fresh ` +
      `token just before and after; overhead = slowest stale − refresh call − slowest fresh (mean): the cost of the ` +
      `lock, the re-read and (for the other processes) the wake-up on the release message.`,
    '',
    table(
      ['processes', 'trial', 'grants', 'failed', 'slowest stale', 'slowest fresh', 'overhead'],
      s.results.flatMap((res) =>
        res.lone.map((t, i) => [
          res.processes,
          i + 1,
          t.grants,
          t.failed,
          fmt(t.slowestMs),
          fmt(t.controlMs),
          fmt(t.overheadMs),
        ]),
      ),
    ),
  ].join('\n');
}

export function syscallDetails(r: BenchResults): string {
  const sc = r.syscalls;
  if (typeof sc === 'string') return `System calls: ${sc}.`;
  const names = [...new Set([...sc.app.calls, ...sc.baseline.calls].map((c) => c.name))];
  const per = (list: readonly { name: string; perRequest: number }[], name: string): string =>
    fmt(list.find((c) => c.name === name)?.perRequest ?? 0, 2);
  return [
    `\`strace -c -f -p <pid>\` (every thread) over ${sc.requests} dashboard requests, 10 at a time, ` +
      `after a warm-up: system calls per request. Unlike CPU time, these counts do not depend on ` +
      `how busy the machine is.`,
    '',
    table(
      ['system call', 'app', 'baseline'],
      [
        ...names.map((n) => [n, per(sc.app.calls, n), per(sc.baseline.calls, n)]),
        ['**total**', fmt(sc.app.total, 2), fmt(sc.baseline.total, 2)],
      ],
    ),
  ].join('\n');
}

export function redisDetails(r: BenchResults): string {
  const first = r.roundTrips[0];
  if (!first) return '';
  const stats = Object.entries(first.commandstats)
    .map(([name, n]) => `${name} ${fmt(n, 2)}`)
    .join(', ');
  return [
    table(
      ['command (MONITOR, app connections)', 'per request'],
      first.commands.map((c) => [`\`${c.shape}\``, fmt(c.perRequest, 2)]),
    ),
    '',
    `INFO commandstats per request (whole server, bench's own commands excluded): ${stats || 'none'}.`,
  ].join('\n');
}

export function startupMemoryDetails(r: BenchResults): string {
  const m = r.memory;
  return [
    table(
      ['start-up run', 'spawn → /readyz 200 (ms)', 'RSS then (MB)'],
      r.startup.map((s, i) => [i + 1, fmt(s.readyMs, 0), fmt(s.idleRssMb)]),
    ),
    '',
    `${m.sessions} sessions of ${m.bytesPerSession} bytes each written in ${fmt(m.seedMs, 0)} ms.`,
    '',
    table(
      [
        'memory run',
        'idle RSS (MB)',
        'peak RSS (MB)',
        'RSS after (MB)',
        'req/s',
        'failed',
        'heap before a full GC, max (MB)',
        'live heap after the last full GC (MB)',
        'heap committed, max (MB)',
        'full GCs / scavenges',
      ],
      m.runs.map((x, i) => [
        i + 1,
        fmt(x.idleRssMb),
        fmt(x.peakRssMb),
        fmt(x.afterRssMb),
        fmt(x.rps, 0),
        x.failed,
        fmt(x.gc.maxUsedBeforeFullGcMb),
        fmt(x.gc.liveAfterLastFullGcMb),
        fmt(x.gc.maxCommittedMb),
        `${x.gc.markCompacts} / ${x.gc.scavenges}`,
      ]),
    ),
  ].join('\n');
}

export function profileSection(r: BenchResults): string {
  const p = r.profile;
  if (!p) return 'Not run (BENCH_PROFILE=0).';
  const s = p.summary;
  const writesMs = s.areas.find((a) => a.name === SOCKET_WRITES_AREA)?.selfMs ?? 0;
  const rest = Math.max(1, s.busyMs - writesMs);
  return [
    `One app process under \`GET /\` at c=${p.connections}` +
      (p.rate !== undefined ? `, held at ${p.rate} req/s (below saturation)` : '') +
      ` for ${p.durationSec} s (${fmt(p.load.rps, 0)} req/s served); start-up and warm-up excluded. ` +
      `The process used ${fmt(p.cpuMsPerRequest, 2)} ms of CPU per request (/proc); the profile saw ` +
      `${fmt(s.busyMs / Math.max(1, p.load.ok), 2)} ms busy per request. Profiles of a saturated ` +
      `2-core machine charge the time a thread spends preempted to the frame it was in, mostly ` +
      `the socket writes that wake another process; hence the fixed rate. ` +
      `File: \`${p.file}\` (open in Chrome DevTools → Performance).`,
    '',
    '#### Self time by area',
    '',
    table(
      ['area', '% of busy', '% of busy without socket writes', 'ms'],
      s.areas.map((a) => [
        a.name,
        fmt(a.percent),
        a.name === SOCKET_WRITES_AREA ? '—' : fmt((100 * a.selfMs) / rest),
        fmt(a.selfMs, 0),
      ]),
    ),
    '',
    '#### Socket writes (system calls) by the library that made them',
    '',
    table(
      ['caller', '% of busy', 'ms'],
      s.writesByCaller.map((a) => [a.name, fmt(a.percent), fmt(a.selfMs, 0)]),
    ),
    '',
    '#### Top functions by self time',
    '',
    table(
      ['function', '% of busy', 'ms'],
      s.functions.map((f) => [
        `\`${f.name.replace(/\|/g, '\\|')}\``,
        fmt(f.percent),
        fmt(f.selfMs, 0),
      ]),
    ),
  ].join('\n');
}
