import { runLoad, type LoadResult } from './load';
import { cpuMs, machineBusyMs, memoryMb, spread, sum, type Spread } from './measure';
import type { Settings } from './settings';
import { expectList, FORWARDED, LISTED, type Server, type Stack } from './stack';

// App and baseline rounds in turn on each node, so that a drift of the machine hits all alike.
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
/** The app and the baseline (none on the cluster) on one node. */
export type Line = { readonly node: string; readonly app: Server; readonly baseline?: Server };
type Target = { readonly url: string; readonly line: number; readonly server: 'app' | 'baseline' };
export interface Round extends Target {
  readonly round: number;
  readonly load: LoadResult;
  readonly cpuMsPerRequest: Record<Part, number>;
  /** Cores taken meanwhile by other processes or the hypervisor (steal): noise, ideally 0. */
  readonly otherCores: number;
}
type Options = Pick<Settings, 'connections' | 'rounds' | 'roundSec' | 'warmupSec'>;

export async function benchDashboard(stack: Stack, lines: readonly Line[], o: Options) {
  const targets: Target[] = lines.flatMap((l, line) =>
    (['app', 'baseline'] as const).flatMap((server) => {
      const url = l[server]?.url;
      return url ? [{ url: `${url}/`, line, server }] : [];
    }),
  );
  const pidsOf = (l?: Line): Record<Part, readonly number[]> => ({
    ...{ app: l ? [l.app.pid] : [], baseline: l?.baseline ? [l.baseline.pid] : [] },
    ...{ sandbox: [stack.sandbox.pid], redis: stack.redisPids, bench: [process.pid] },
  });
  // Every process of ours, idle ones too: the rest of the machine's busy time is noise.
  const ours = lines.flatMap((l) => Object.values(pidsOf(l)).flat());
  const [cookie, headers] = [stack.cookie, { ...FORWARDED, cookie: stack.cookie }];
  const checkAll = async (): Promise<void> => {
    for (const t of targets) await expectList(t.url, cookie, t.server === 'app' ? LISTED : '<li>');
  };
  const load = (url: string, durationSec: number) =>
    runLoad({ url, connections: o.connections, durationSec, headers });

  const measure = async (t: Target, round: number): Promise<Round> => {
    const cpu = (pids = pidsOf(lines[t.line])): number[] => PARTS.map((p) => cpuMs(pids[p]));
    const [before, ourBefore, busy, started] = [cpu(), cpuMs(ours), machineBusyMs(), now()];
    const result = await load(t.url, o.roundSec);
    const others = machineBusyMs() - busy - (cpuMs(ours) - ourBefore);
    const used = cpu().map((ms, j) => (ms - (before[j] ?? 0)) / Math.max(1, result.ok));
    const cpuMsPerRequest = {} as Record<Part, number>;
    PARTS.forEach((p, j) => (cpuMsPerRequest[p] = used[j] ?? 0));
    const [rps, p99, ms] = [result.rps, result.p99, cpuMsPerRequest[t.server]];
    const text = `${rps.toFixed(0)} req/s, p99 ${p99.toFixed(1)} ms, ${ms.toFixed(2)} CPU ms/req`;
    log(`  c=${o.connections} ${t.server} ${lines[t.line]?.node} #${round}: ${text}`);
    const otherCores = Math.max(0, others) / (now() - started);
    return { ...t, round, load: result, otherCores, cpuMsPerRequest };
  };

  await checkAll();
  for (const t of targets) await load(t.url, o.warmupSec);
  const rounds: Round[] = [];
  for (let i = 1; i <= o.rounds; i++) for (const t of targets) rounds.push(await measure(t, i));
  await checkAll(); // still signed in: the figures were the list's
  const summaries = lines.map((l, i) => ({
    ...{ node: l.node, ...summarise(rounds.filter((r) => r.line === i)) },
    appPeakRssMb: memoryMb(l.app.pid).hwm,
  }));
  return { connections: o.connections, roundSec: o.roundSec, rounds, lines: summaries };
}
const now = (): number => performance.now();
const log = (line: string): void => void process.stderr.write(`${line}\n`);
export type DashboardResult = Awaited<ReturnType<typeof benchDashboard>>;

function summarise(rounds: readonly Round[]) {
  const [app, base] = (['app', 'baseline'] as const).map((s) =>
    rounds.filter((r) => r.server === s),
  );
  const summary = (rs: readonly Round[] = []) => {
    const over = (f: (r: Round) => number): Spread => spread(rs.map(f));
    const cpu = PARTS.map((p) => [p, over((r) => r.cpuMsPerRequest[p])]);
    return {
      ...{
        rps: over((r) => r.load.rps),
        p50: over((r) => r.load.p50),
        p99: over((r) => r.load.p99),
      },
      failed: sum(rs.map((r) => r.load.non2xx + r.load.errors)),
      cpuMsPerRequest: Object.fromEntries(cpu) as Record<Part, Spread>,
      stackCpuMsPerRequest: over((r) => sum(PARTS.map((p) => r.cpuMsPerRequest[p]))),
      otherCores: over((r) => r.otherCores),
    };
  };
  // Ratios per pair of neighbouring rounds (app i, baseline i), then their spread.
  const pairs = (f: (a: Round, b: Round) => number): Spread =>
    spread((app ?? []).flatMap((a, i) => (base?.[i] ? [f(a, base[i])] : [])));
  return {
    ...{ app: summary(app), baseline: summary(base) },
    cpuRatio: pairs((a, b) => b.cpuMsPerRequest.baseline / a.cpuMsPerRequest.app),
    rpsRatio: pairs((a, b) => a.load.rps / b.load.rps),
    p99Ratio: pairs((a, b) => a.load.p99 / b.load.p99),
  };
}
