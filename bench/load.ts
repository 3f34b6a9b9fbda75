import http from 'node:http';
import autocannon from 'autocannon';
import { percentile } from './stats';

/**
 * The two ways the bench sends requests, both from this process: a closed loop (autocannon:
 * `connections` keep-alive connections, each sending its next GET when the last is answered)
 * and a burst (many GETs at once on sockets opened beforehand, so no handshake is timed).
 */

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSec: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Cookie headers to cycle through, one per request. */
  readonly cookies?: readonly string[];
  /** Called every 250 ms during the run (e.g. to read a process's RSS). */
  readonly sample?: () => void;
}

export async function runLoad(o: LoadOptions) {
  const latencies: number[] = []; // of 2xx answers; autocannon's own are whole milliseconds
  let next = 0;
  const cookies = o.cookies;
  const requests: autocannon.Request[] | undefined = cookies && [
    {
      setupRequest: (r) => ({
        ...r,
        headers: { ...r.headers, cookie: cookies[next++ % cookies.length] },
      }),
    },
  ];
  const timer = o.sample ? setInterval(o.sample, 250) : undefined;
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const { url, connections, durationSec: duration } = o;
    const instance = autocannon(
      { url, connections, duration, timeout: 10, headers: { ...o.headers }, ...{ requests } },
      (err: unknown, res: autocannon.Result) =>
        err ? reject(new Error('autocannon failed', { cause: err })) : resolve(res),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  }).finally(() => clearInterval(timer));
  return {
    ok: latencies.length,
    rps: latencies.length / ((performance.now() - started) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non2xx: result.non2xx,
    /** Answers by status code, e.g. { "200": { count } } (a non-2xx says which). */
    statuses: result.statusCodeStats ?? {},
    errors: result.errors + result.timeouts,
  };
}

export type LoadResult = Awaited<ReturnType<typeof runLoad>>;

function get(url: string, agent: http.Agent, headers: http.OutgoingHttpHeaders): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers, timeout: 30_000 }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject);
  });
}

/** `fire(n)`: n GET / at once, round-robin over the servers; latencies of the 200s. */
export async function openBurst(
  urls: readonly string[],
  socketsEach: number,
  headers: http.OutgoingHttpHeaders,
) {
  const sockets = { keepAlive: true, maxSockets: socketsEach, maxFreeSockets: socketsEach };
  const targets = urls.map((url) => ({ url, agent: new http.Agent(sockets) }));
  const opening = targets.flatMap((t) =>
    Array.from({ length: socketsEach }, () => get(`${t.url}/healthz`, t.agent, {})),
  );
  await Promise.all(opening);
  const one = async (i: number): Promise<number | undefined> => {
    const t = targets[i % targets.length];
    const started = performance.now();
    const status = t ? await get(`${t.url}/`, t.agent, headers).catch(() => 0) : 0;
    return status === 200 ? performance.now() - started : undefined;
  };
  return {
    fire: async (n: number) => {
      const ms = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
      const latencies = ms.filter((m): m is number => m !== undefined);
      return { latencies, failed: n - latencies.length };
    },
    close: () => targets.forEach((t) => t.agent.destroy()),
  };
}

export type Burst = Awaited<ReturnType<typeof openBurst>>;
