import autocannon from 'autocannon';
import { percentile } from './stats';

/**
 * One autocannon run. Latencies are taken from every response (autocannon's own histogram
 * rounds to whole milliseconds), so p50/p99 keep sub-millisecond precision.
 */

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSec: number;
  readonly headers?: Record<string, string>;
  /** Rotate through these Cookie header values, one per request. */
  readonly cookies?: readonly string[];
  /** A body that does not contain this text counts as a mismatch (e.g. a landing page). */
  readonly expectText?: string;
  /** A fixed request rate (req/s over all connections) instead of as fast as possible. */
  readonly rate?: number;
  /** Called every `sampleMs` during the run (e.g. to read a process's RSS). */
  readonly sample?: () => void;
  readonly sampleMs?: number;
}

export interface LoadResult {
  readonly ok: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly mismatches: number;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const cookies = opts.cookies;
  const expect = opts.expectText;
  const requests: autocannon.Request[] = [
    {
      method: 'GET',
      path: new URL(opts.url).pathname,
      ...(cookies && cookies.length > 0
        ? {
            setupRequest: (req: autocannon.Request): autocannon.Request => {
              const cookie = cookies[next++ % cookies.length] ?? '';
              return { ...req, headers: { ...req.headers, cookie } };
            },
          }
        : {}),
    },
  ];
  const started = performance.now();
  const timer = opts.sample ? setInterval(opts.sample, opts.sampleMs ?? 250) : undefined;
  let finish: (err: unknown, result: autocannon.Result) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (err, result) =>
      err
        ? reject(err instanceof Error ? err : new Error('autocannon failed', { cause: err }))
        : resolve(result);
  });
  const instance = autocannon(
    {
      url: opts.url,
      connections: opts.connections,
      duration: opts.durationSec,
      headers: opts.headers,
      requests,
      timeout: 10,
      ...(opts.rate !== undefined ? { overallRate: opts.rate } : {}),
      ...(expect !== undefined ? { verifyBody: (body) => String(body).includes(expect) } : {}),
    },
    (err: unknown, result: autocannon.Result) => finish(err, result),
  );
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await done.finally(() => clearInterval(timer));
  const elapsedSec = (performance.now() - started) / 1000;
  return {
    ok: latencies.length,
    rps: latencies.length / Math.max(elapsedSec, result.duration),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
  };
}
