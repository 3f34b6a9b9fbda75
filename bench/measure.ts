import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// What the kernel says about processes (/proc), and the statistics of every figure.
/** Ticks per second of the CPU times: asked (getconf CLK_TCK), not assumed. */
const TICK_MS = 1000 / (Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100);

/** utime + stime (stat's fields 14 and 15, after the command name) in ms; 0 once gone. */
export function cpuMs(pids: readonly number[]): number {
  return pids.reduce((ms, pid) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return ms;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ms + (Number(f[11]) + Number(f[12])) * TICK_MS;
  }, 0);
}
/** Busy time of the whole machine plus the hypervisor's steal (/proc/stat), in ms. */
export function machineBusyMs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).map(Number) ?? [];
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}
/** VmRSS (resident now) and VmHWM (the peak so far), in MB. */
export function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]) / 1024;
  return { rss: mb('VmRSS'), hwm: mb('VmHWM') };
}
/** Nearest-rank percentile (p in 0..100); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? Number.NaN;
}
/** Every repeated figure is reported as its median with the spread of the runs. */
export function spread(values: readonly number[]) {
  return { median: percentile(values, 50), min: Math.min(...values), max: Math.max(...values) };
}
export type Spread = ReturnType<typeof spread>;
export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
