import { readFileSync } from 'node:fs';

/**
 * CPU time used by processes between two points, from /proc/<pid>/stat (utime + stime, in
 * USER_HZ ticks: 100 per second on Linux), and by the bench process itself (process.cpuUsage).
 */

const TICK_MS = 10;

export type CpuSnapshot = ReadonlyMap<string, number>;

function processCpuMs(label: string, pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    throw new Error(`the ${label} process (pid ${pid}) is gone`, { cause: err });
  }
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU time spent by the whole machine (all cores, everything but idle and iowait). */
function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) *
    TICK_MS
  );
}

/**
 * `pids` by label; the label `loadgen` is always this process, and `machine` the whole
 * machine (so that the CPU taken by processes outside the bench can be told apart).
 */
export function cpuSnapshot(pids: Readonly<Record<string, number>>): CpuSnapshot {
  const out = new Map<string, number>();
  for (const [label, pid] of Object.entries(pids)) out.set(label, processCpuMs(label, pid));
  out.set('loadgen', selfCpuMs());
  out.set('machine', machineBusyMs());
  return out;
}

/**
 * Cores used, on average, by processes that are not the bench's (`others`), and by the
 * bench's own processes (`bench`) between two snapshots `elapsedMs` apart.
 */
export function coresUsed(
  before: CpuSnapshot,
  after: CpuSnapshot,
  elapsedMs: number,
): { bench: number; others: number } {
  let bench = 0;
  for (const [label, ms] of after) {
    if (label !== 'machine') bench += ms - (before.get(label) ?? ms);
  }
  const machine = (after.get('machine') ?? 0) - (before.get('machine') ?? 0);
  return { bench: bench / elapsedMs, others: Math.max(0, machine - bench) / elapsedMs };
}

/** CPU milliseconds per unit (e.g. per request) of each labelled process between snapshots. */
export function cpuPer(
  before: CpuSnapshot,
  after: CpuSnapshot,
  units: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, ms] of after)
    out[label] = (ms - (before.get(label) ?? ms)) / Math.max(1, units);
  return out;
}
