import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What the kernel says about processes: CPU time (/proc/<pid>/stat), memory (…/status). */

/** Ticks per second of the CPU times: asked (getconf CLK_TCK), not assumed. */
const TICK_MS = 1000 / (Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100);

/** stat's fields after the command name (which may hold spaces); undefined once gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime (stat's fields 14 and 15) of these processes, in ms. */
export function cpuMs(pids: readonly number[]): number {
  return pids.reduce((ms, pid) => {
    const f = statFields(pid);
    return ms + (f ? (Number(f[11]) + Number(f[12])) * TICK_MS : 0);
  }, 0);
}

/**
 * Time the whole machine was busy, every core and process, plus the time the hypervisor gave
 * our virtual cores to someone else (steal), in ms (/proc/stat): all of it load that is not ours.
 */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

/** VmRSS (resident now) and VmHWM (the peak so far), in MB. */
export function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}
