/** Every duration and count of `npm run bench`, and its modes (docs/benchmarks.md). */
const env = process.env;
/** BENCH_NODE_LINES: the Node lines run beside this process's node (scripts/node-line.sh). */
export const MODE = {
  ...{ quick: env.BENCH_QUICK === '1', profile: env.BENCH_PROFILE === '1', only: env.BENCH_ONLY },
  nodeLines: (env.BENCH_NODE_LINES ?? '24 26').split(/[\s,]+/).filter(Boolean),
};

const FULL = {
  /** Dashboard rounds per server (servers alternate), then fewer at c=100. */
  ...{ warmupSec: 3, rounds: 5, roundSec: 8, connections: 20 },
  ...{ highConnections: 100, highRounds: 3, highRoundSec: 5 },
  ...{ stormProcesses: [1, 2, 4], stormRequests: 200, stormTrials: 3, tokenDelayMs: 100 },
  ...{
    redisRequests: 200,
    startupRuns: 5,
    sessions: 10_000,
    memoryConnections: 100,
    memorySec: 10,
  },
  /** Capacity (issue #26): the sweep unpaced over this many grants, paced over fewer. */
  ...{ sweepGrants: Number(env.BENCH_SWEEP_GRANTS ?? 100_000), pacedGrants: 300 },
  // A year of weekly "remove all, then undo" of 30 people: the ledger at its busiest.
  ...{ zoomLatencyMs: 100, limitCycles: 52 },
  /** On the Redis Cluster: app-only dashboard rounds, replica waits. */
  ...{ clusterRounds: 3, replicaWaits: 200 },
};

export type Settings = typeof FULL;
const SHORT: Partial<Settings> = {
  ...{ warmupSec: 1, rounds: 2, roundSec: 2, highRounds: 1, highRoundSec: 2, stormTrials: 1 },
  ...{ redisRequests: 50, startupRuns: 2, sessions: 1_000, memorySec: 3 },
  ...{ clusterRounds: 1, replicaWaits: 50 },
  ...{ sweepGrants: Number(env.BENCH_SWEEP_GRANTS ?? 2_000), pacedGrants: 50, limitCycles: 3 },
};

export const SETTINGS: Settings = MODE.quick ? { ...FULL, ...SHORT } : FULL;
