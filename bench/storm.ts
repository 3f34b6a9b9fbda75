import { FORWARDED_HEADERS, startApp, type AppProcess } from './lib/app';
import { burst, closeTargets, prepareTargets, type BurstOutcome } from './lib/burst';
import { request } from './lib/http';
import { log } from './lib/log';
import { CLIENT_ID, CLIENT_SECRET } from './lib/sandbox';
import { BENCH_USER, DASHBOARD_MARKER, type Stack } from './lib/stack';
import { percentile, median } from './lib/stats';
import { makeStoredTokenStale, tokenStoreFor } from './lib/tokens';

/**
 * 2. Refresh storm: N app processes on one Redis; the stored token is made stale (record
 * rewritten with a past expiry AND expired at the sandbox), the sandbox's token endpoint is
 * slowed by a fixed delay, and `requests` GET / are fired at once across the processes.
 * Beside each storm, a control burst of the same shape with a fresh token measures what the
 * burst itself costs on this machine, so the refresh's own added latency can be separated.
 */

export interface StormOptions {
  readonly processCounts: readonly number[];
  readonly trials: number;
  readonly requests: number;
  readonly tokenDelayMs: number;
}

export interface StormTrial {
  readonly grants: number;
  readonly failed: number;
  readonly failures: string[];
  readonly p50: number;
  readonly p99: number;
  /** p99 minus the refresh call's duration. */
  readonly addedRawMs: number;
  /** p99 minus the refresh call minus the p99 of the control bursts (mean of before and after). */
  readonly addedNetMs: number;
  readonly controlP99: number;
}

/** One request per process at once: the refresh machinery's own cost, without a crowd. */
export interface LoneTrial {
  readonly grants: number;
  readonly failed: number;
  /** Slowest of the N requests, stale token. */
  readonly slowestMs: number;
  /** Slowest of the same N requests with a fresh token (mean of just before and just after). */
  readonly controlMs: number;
  /** slowest − refresh call − control. */
  readonly overheadMs: number;
}

export interface StormResult {
  readonly processes: number;
  readonly trials: StormTrial[];
  readonly lone: LoneTrial[];
}

interface TrialOutcome {
  /** The same burst with a fresh token, just before and just after the storm. */
  readonly fresh: readonly [BurstOutcome, BurstOutcome];
  readonly storm: BurstOutcome;
  readonly grants: number;
}

export interface StormReport {
  /** Injected delay plus the token endpoint's own round trip (median of direct calls). */
  readonly refreshCallMs: number;
  readonly tokenEndpointMs: number;
  readonly tokenDelayMs: number;
  readonly requests: number;
  readonly results: StormResult[];
}

/** The token endpoint's round trip without a delay: a refresh with an unknown token (400). */
async function tokenEndpointMs(sandboxUrl: string): Promise<number> {
  const auth = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    await request(`${sandboxUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${auth}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=refresh_token&refresh_token=bench-unknown',
    });
    times.push(performance.now() - started);
  }
  return median(times.slice(5));
}

export async function benchStorm(stack: Stack, opts: StormOptions): Promise<StormReport> {
  const control = stack.sandbox.control;
  const store = tokenStoreFor(stack.admin, stack.env);
  const endpointMs = await tokenEndpointMs(stack.sandbox.url);
  const refreshCallMs = opts.tokenDelayMs + endpointMs;
  const maxProcesses = Math.max(...opts.processCounts);
  const extras: AppProcess[] = [];
  try {
    for (let i = 1; i < maxProcesses; i++) extras.push(await startApp(stack.env));
    const apps = [stack.app, ...extras];
    const headers = { ...FORWARDED_HEADERS, cookie: stack.cookie };
    const accept = (status: number, body: string): boolean =>
      status === 200 && body.includes(DASHBOARD_MARKER);
    const results: StormResult[] = [];
    for (const n of opts.processCounts) {
      const targets = await prepareTargets(
        apps.slice(0, n).map((a) => a.url),
        Math.ceil(opts.requests / n),
      );
      try {
        const fire = (count: number): Promise<BurstOutcome> =>
          burst(targets, count, '/', headers, accept);
        /** A control burst with a fresh token, then the same burst right after an expiry. */
        const trial = async (count: number): Promise<TrialOutcome> => {
          const fresh = await fire(count);
          if (fresh.failed > 0)
            throw new Error(`control burst failed: ${fresh.failures.join('; ')}`);
          await makeStoredTokenStale(store, stack.userId);
          await control.expireTokens(BENCH_USER);
          await control.fault({ target: 'token', delayMs: opts.tokenDelayMs, count: 1 });
          const before = await control.counter('token_refresh');
          const storm = await fire(count);
          const grants = (await control.counter('token_refresh')) - before;
          await control.clearFaults();
          const after = await fire(count);
          if (after.failed > 0)
            throw new Error(`control burst failed: ${after.failures.join('; ')}`);
          return { fresh: [fresh, after], storm, grants };
        };
        await fire(opts.requests); // warm-up (JIT, sockets, upstream connections)
        const trials: StormTrial[] = [];
        for (let t = 1; t <= opts.trials; t++) {
          const { fresh, storm, grants } = await trial(opts.requests);
          const controlP99 =
            (percentile(fresh[0].latencies, 99) + percentile(fresh[1].latencies, 99)) / 2;
          const p99 = percentile(storm.latencies, 99);
          trials.push({
            grants,
            failed: storm.failed,
            failures: storm.failures,
            p50: percentile(storm.latencies, 50),
            p99,
            addedRawMs: p99 - refreshCallMs,
            addedNetMs: p99 - refreshCallMs - controlP99,
            controlP99,
          });
          log(
            `storm ${n} process(es) #${t}: grants ${grants}, failed ${storm.failed}, ` +
              `p99 ${p99.toFixed(1)} ms (control ${controlP99.toFixed(1)} ms, refresh ${refreshCallMs.toFixed(1)} ms)`,
          );
        }
        const lone: LoneTrial[] = [];
        for (let t = 1; t <= opts.trials; t++) {
          const { fresh, storm, grants } = await trial(n);
          const slowestMs = storm.latencies.length > 0 ? Math.max(...storm.latencies) : Number.NaN;
          const controlMs = (Math.max(...fresh[0].latencies) + Math.max(...fresh[1].latencies)) / 2;
          lone.push({
            grants,
            failed: storm.failed,
            slowestMs,
            controlMs,
            overheadMs: slowestMs - refreshCallMs - controlMs,
          });
        }
        log(
          `lone ${n} request(s): overhead ${lone.map((l) => l.overheadMs.toFixed(1)).join(', ')} ms, ` +
            `grants ${lone.map((l) => l.grants).join(', ')}`,
        );
        results.push({ processes: n, trials, lone });
      } finally {
        closeTargets(targets);
      }
    }
    return {
      refreshCallMs,
      tokenEndpointMs: endpointMs,
      tokenDelayMs: opts.tokenDelayMs,
      requests: opts.requests,
      results,
    };
  } finally {
    await control.clearFaults().catch(() => undefined);
    await Promise.all(extras.map((a) => a.stop()));
  }
}
