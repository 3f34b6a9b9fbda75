import { rssMb, startApp } from './lib/app';
import { log } from './lib/log';
import { sleep } from './lib/procs';
import type { Stack } from './lib/stack';

/** 4a. Spawn → first `/readyz` 200 of a new production process (polled every 5 ms). */

export interface StartupRun {
  readonly readyMs: number;
  /** VmRSS just after the first 200 (MB). */
  readonly idleRssMb: number;
}

export async function benchStartup(stack: Stack, runs: number): Promise<StartupRun[]> {
  const out: StartupRun[] = [];
  for (let i = 1; i <= runs; i++) {
    const app = await startApp(stack.env, { pollMs: 5 });
    try {
      const run = { readyMs: app.readyAt - app.spawnedAt, idleRssMb: rssMb(app.proc.pid) };
      out.push(run);
      log(
        `start-up #${i}: ${run.readyMs.toFixed(0)} ms to /readyz 200, RSS ${run.idleRssMb.toFixed(1)} MB`,
      );
    } finally {
      await app.stop();
    }
    await sleep(200);
  }
  return out;
}
