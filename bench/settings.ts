/**
 * Every duration and count of `npm run bench`. BENCH_QUICK=1 shortens them all (to try the
 * harness, not to quote); BENCH_PROFILE=1 only profiles the app under the c=20 dashboard load.
 */

export const QUICK = process.env.BENCH_QUICK === '1';
export const PROFILE = process.env.BENCH_PROFILE === '1';
/** BENCH_ONLY=dashboard: the c=20 dashboard rounds only (for trying an optimisation). */
export const DASHBOARD_ONLY = process.env.BENCH_ONLY === 'dashboard';
/** BENCH_ONLY=cluster: the Redis Cluster row only (its section of the report, no latest.json). */
export const CLUSTER_ONLY = process.env.BENCH_ONLY === 'cluster';

const FULL = {
  warmupSec: 3,
  /** Dashboard rounds per server (app and baseline alternate), then fewer at c=100. */
  rounds: 5,
  roundSec: 8,
  connections: 20,
  highConnections: 100,
  highRounds: 3,
  highRoundSec: 5,
  stormProcesses: [1, 2, 4],
  stormRequests: 200,
  stormTrials: 3,
  tokenDelayMs: 100,
  redisRequests: 200,
  startupRuns: 5,
  sessions: 10_000,
  memoryConnections: 100,
  memorySec: 10,
  /** On the Redis Cluster (bench/cluster.ts): app-only dashboard rounds, replica waits. */
  clusterRounds: 3,
  replicaWaits: 200,
};

export type Settings = typeof FULL;

/** Every phase once and short. */
const SHORT: Partial<Settings> = {
  ...{ warmupSec: 1, rounds: 2, roundSec: 2, highRounds: 1, highRoundSec: 2, stormTrials: 1 },
  ...{ redisRequests: 50, startupRuns: 2, sessions: 1_000, memorySec: 3 },
  ...{ clusterRounds: 1, replicaWaits: 50 },
};

export const SETTINGS: Settings = QUICK ? { ...FULL, ...SHORT } : FULL;
