import { FORWARDED_HEADERS, rssMb, startApp } from './lib/app';
import { GcTrace, type GcSummary } from './lib/gc-trace';
import { runLoad } from './lib/load';
import { log } from './lib/log';
import { sleep } from './lib/procs';
import { seedSessions } from './lib/sessions';
import { DASHBOARD_MARKER, type Stack } from './lib/stack';

/**
 * 4b. RSS of a web process once 10,000 signed-in sessions exist in Redis, idle and under the
 * dashboard load spread over all of them (each request a different session, round-robin).
 */

export interface MemoryOptions {
  readonly sessions: number;
  readonly runs: number;
  readonly connections: number;
  readonly durationSec: number;
}

export interface MemoryRun {
  readonly gc: GcSummary;
  readonly idleRssMb: number;
  readonly peakRssMb: number;
  readonly afterRssMb: number;
  readonly rps: number;
  readonly failed: number;
}

export interface MemoryReport {
  readonly sessions: number;
  readonly bytesPerSession: number;
  readonly seedMs: number;
  readonly runs: MemoryRun[];
}

export async function benchMemory(stack: Stack, opts: MemoryOptions): Promise<MemoryReport> {
  const started = performance.now();
  const seeded = await seedSessions(
    stack.admin,
    stack.sessionPrefix,
    stack.sessionId,
    stack.env.SESSION_SECRET ?? '',
    opts.sessions,
  );
  const seedMs = performance.now() - started;
  log(`memory: ${opts.sessions} sessions written in ${seedMs.toFixed(0)} ms`);
  const runs: MemoryRun[] = [];
  for (let i = 1; i <= opts.runs; i++) {
    const trace = new GcTrace();
    const app = await startApp(stack.env, { nodeArgs: ['--trace-gc'], onStdoutLine: trace.onLine });
    try {
      await sleep(500);
      const idle = rssMb(app.proc.pid);
      let peak = idle;
      const load = await runLoad({
        url: `${app.url}/`,
        connections: opts.connections,
        durationSec: opts.durationSec,
        headers: { ...FORWARDED_HEADERS },
        cookies: seeded.cookies,
        expectText: DASHBOARD_MARKER,
        sample: () => (peak = Math.max(peak, rssMb(app.proc.pid))),
      });
      const run: MemoryRun = {
        gc: trace.summary(),
        idleRssMb: idle,
        peakRssMb: Math.max(peak, rssMb(app.proc.pid, 'VmHWM')),
        afterRssMb: rssMb(app.proc.pid),
        rps: load.rps,
        failed: load.non2xx + load.errors + load.mismatches + load.timeouts,
      };
      runs.push(run);
      log(
        `memory #${i}: idle ${idle.toFixed(1)} MB, peak ${run.peakRssMb.toFixed(1)} MB under ` +
          `${load.rps.toFixed(0)} req/s over ${opts.sessions} sessions (failed ${run.failed}); ` +
          `heap ${run.gc.maxUsedBeforeFullGcMb.toFixed(0)} MB before a full GC, ` +
          `${run.gc.liveAfterLastFullGcMb.toFixed(0)} MB live after`,
      );
    } finally {
      await app.stop();
    }
  }
  return { sessions: opts.sessions, bytesPerSession: seeded.bytesPerSession, seedMs, runs };
}
