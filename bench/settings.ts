import type { DashboardOptions } from './dashboard';
import type { MemoryOptions } from './memory';
import type { ProfileOptions } from './profile';
import type { StormOptions } from './storm';

/** How much of everything a run does. BENCH_QUICK=1 shortens it (to try the harness only). */
export interface BenchSettings {
  readonly quick: boolean;
  readonly dashboard: DashboardOptions;
  readonly roundTrips: { readonly runs: number; readonly requests: number };
  /** Requests traced by strace; null to skip. */
  readonly syscallRequests: number | null;
  readonly storm: StormOptions;
  readonly startupRuns: number;
  readonly memory: MemoryOptions;
  readonly profile: ProfileOptions | null;
}

export function benchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const quick = env.BENCH_QUICK === '1';
  return {
    quick,
    dashboard: {
      concurrencies: [20, 100],
      runs: 3,
      durationSec: quick ? 2 : 10,
      warmupSec: quick ? 1 : 3,
    },
    roundTrips: { runs: 3, requests: 100 },
    syscallRequests: env.BENCH_STRACE === '0' ? null : 1000,
    storm: { processCounts: [1, 2, 4], trials: 7, requests: 200, tokenDelayMs: 100 },
    startupRuns: 5,
    memory: { sessions: 10_000, runs: 3, connections: 100, durationSec: quick ? 2 : 8 },
    profile:
      env.BENCH_PROFILE === '0'
        ? null
        : {
            connections: 20,
            rate: 400,
            warmupSec: quick ? 1 : 2,
            durationSec: quick ? 2 : 10,
            top: 20,
          },
  };
}
