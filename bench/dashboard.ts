import { runLoad, type LoadResult } from './load';
import { cpuMs, machineBusyMs, memoryMb } from './proc';
import type { Settings } from './settings';
import { expectList, FORWARDED, LISTED, type Baseline, type Stack } from './stack';
import { spread, type Spread } from './stats';

/**
 * The signed-in `GET /` of the app against the baseline, in alternating rounds (app,
 * baseline, app, …) so that a drift of the machine hits both alike. Each round records the
 * CPU time every process of the stack spent per successful request: they all share the two
 * cores, so req/s alone mixes the app's cost with the load generator's and the sandbox's.
 */

/** The processes whose CPU each round accounts for, as the report names them. */
export const NAMES = {
  app: 'app server',
  baseline: 'baseline server',
  sandbox: 'sandbox (Zoom)',
  redis: 'redis-server',
  bench: 'bench (autocannon)',
};
export type Part = keyof typeof NAMES;
export const PARTS = Object.keys(NAMES) as Part[];
type Server = 'app' | 'baseline';

export interface Round {
  readonly server: Server;
  readonly round: number;
  readonly load: LoadResult;
  /** CPU ms per 2xx answer, of each process during the round. */
  readonly cpuMsPerRequest: Record<Part, number>;
  /** Cores taken meanwhile by other processes or the hypervisor (steal): noise, ideally 0. */
  readonly otherCores: number;
}

type DashboardOptions = Pick<Settings, 'connections' | 'rounds' | 'roundSec' | 'warmupSec'>;

/** Without a baseline (the cluster row), only the app's rounds. */
export async function benchDashboard(stack: Stack, baseline: Baseline | null, o: DashboardOptions) {
  const urls = { app: `${stack.app.url}/`, baseline: `${baseline?.url ?? ''}/` };
  const servers: Server[] = baseline ? ['app', 'baseline'] : ['app'];
  await expectList(urls.app, stack.cookie, LISTED);
  if (baseline) await expectList(urls.baseline, stack.cookie, '<li>');
  // Each part is one process (node or redis-server started directly, no wrapper in between).
  const pids: Record<Part, readonly number[]> = {
    app: [stack.app.pid],
    baseline: baseline ? [baseline.pid] : [],
    sandbox: [stack.sandbox.pid],
    redis: stack.redisPids,
    bench: [process.pid],
  };
  const cpu = (): number[] => PARTS.map((p) => cpuMs(pids[p]));
  const headers = { ...FORWARDED, cookie: stack.cookie };
  const load = (server: Server, durationSec: number): Promise<LoadResult> =>
    runLoad({ url: urls[server], connections: o.connections, durationSec, headers });

  for (const server of servers) await load(server, o.warmupSec);
  const rounds: Round[] = [];
  for (let i = 1; i <= o.rounds; i++) {
    for (const server of servers) {
      const [before, busy, started] = [cpu(), machineBusyMs(), performance.now()];
      const result = await load(server, o.roundSec);
      const used = cpu().map((ms, j) => ms - (before[j] ?? 0));
      const elapsedMs = performance.now() - started;
      const others = machineBusyMs() - busy - used.reduce((a, b) => a + b, 0);
      const otherCores = Math.max(0, others) / elapsedMs;
      const perRequest = PARTS.map((p, j) => [p, (used[j] ?? 0) / Math.max(1, result.ok)]);
      const cpuMsPerRequest = Object.fromEntries(perRequest) as Record<Part, number>;
      rounds.push({ server, round: i, load: result, cpuMsPerRequest, otherCores });
      const [rps, p99, ms] = [result.rps, result.p99, cpuMsPerRequest[server]];
      const line = `${rps.toFixed(0)} req/s, p99 ${p99.toFixed(1)} ms, ${ms.toFixed(2)} CPU ms/req`;
      process.stderr.write(`  c=${o.connections} ${server} #${i}: ${line}\n`);
    }
  }
  await expectList(urls.app, stack.cookie, LISTED); // still signed in: the figures were the list's
  const { connections, roundSec } = o;
  const appPeakRssMb = memoryMb(stack.app.pid).hwm;
  return { connections, roundSec, rounds, ...summarise(rounds), appPeakRssMb };
}

export type DashboardResult = Awaited<ReturnType<typeof benchDashboard>>;

function summarise(rounds: readonly Round[]) {
  const app = rounds.filter((r) => r.server === 'app');
  const base = rounds.filter((r) => r.server === 'baseline');
  const summary = (rs: Round[]) => ({
    rps: spread(rs.map((r) => r.load.rps)),
    p50: spread(rs.map((r) => r.load.p50)),
    p99: spread(rs.map((r) => r.load.p99)),
    failed: rs.reduce((n, r) => n + r.load.non2xx + r.load.errors, 0),
    cpuMsPerRequest: Object.fromEntries(
      PARTS.map((p) => [p, spread(rs.map((r) => r.cpuMsPerRequest[p]))]),
    ) as Record<Part, Spread>,
    /** Every process's CPU per request added up. */
    stackCpuMsPerRequest: spread(
      rs.map((r) => PARTS.reduce((n, p) => n + r.cpuMsPerRequest[p], 0)),
    ),
    otherCores: spread(rs.map((r) => r.otherCores)),
  });
  // Ratios per pair of neighbouring rounds (app i, baseline i), then their spread.
  const pairs = (f: (a: Round, b: Round) => number): number[] =>
    app.flatMap((a, i) => (base[i] ? [f(a, base[i])] : []));
  return {
    app: summary(app),
    baseline: summary(base),
    /** Baseline process CPU per request ÷ app process CPU per request (target ≥ 0.55). */
    cpuRatio: spread(pairs((a, b) => b.cpuMsPerRequest.baseline / a.cpuMsPerRequest.app)),
    rpsRatio: spread(pairs((a, b) => a.load.rps / b.load.rps)),
    /** Target ≤ 1.5. */
    p99Ratio: spread(pairs((a, b) => a.load.p99 / b.load.p99)),
  };
}
