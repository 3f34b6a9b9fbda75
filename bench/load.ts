import http from 'node:http';
import autocannon from 'autocannon';
import { percentile } from './measure';

// A closed loop (autocannon), and bursts on sockets opened beforehand (no handshake timed).
/** cookies: one per request, in turn; sample: called every 250 ms (to read a process's RSS). */
export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSec: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies?: readonly string[];
  readonly sample?: () => void;
}
export async function runLoad(o: LoadOptions) {
  const latencies: number[] = []; // of 2xx answers; autocannon's own are whole milliseconds
  const [cookies, timer, started] = [o.cookies, o.sample && setInterval(o.sample, 250), now()];
  let next = 0;
  const cookie = (): string => cookies?.[next++ % cookies.length] ?? '';
  const cycle = (r: autocannon.Request) => ({ ...r, headers: { ...r.headers, cookie: cookie() } });
  const { url, connections, durationSec: duration } = o;
  const options = { url, connections, duration, timeout: 10, headers: { ...o.headers } };
  const requests = cookies && [{ setupRequest: cycle }];
  const ok = (status: number): boolean => status >= 200 && status < 300;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon({ ...options, requests }, (err: unknown, res: autocannon.Result) =>
      err ? reject(new Error('autocannon failed', { cause: err })) : resolve(res),
    );
    run.on('response', (_c, status, _b, ms) => void (ok(status) && latencies.push(ms)));
  }).finally(() => clearInterval(timer));
  return {
    ...{ ok: latencies.length, rps: latencies.length / ((now() - started) / 1000) },
    ...{ p50: percentile(latencies, 50), p99: percentile(latencies, 99), non2xx: result.non2xx },
    statuses: result.statusCodeStats ?? {},
    errors: result.errors + result.timeouts,
  };
}
const now = (): number => performance.now();
export type LoadResult = Awaited<ReturnType<typeof runLoad>>;
type Headers = http.OutgoingHttpHeaders;
const many = <T>(k: number, f: (i: number) => T): T[] => Array.from({ length: k }, (_, i) => f(i));

function get(url: string, agent: http.Agent, headers: Headers): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers, timeout: 30_000 }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject);
  });
}
/** `fire(n)`: n GET / at once, round-robin over the servers; latencies of the 200s. */
export async function openBurst(urls: readonly string[], each: number, headers: Headers) {
  const sockets = { keepAlive: true, maxSockets: each, maxFreeSockets: each };
  const targets = urls.map((url) => ({ url, agent: new http.Agent(sockets) }));
  const open = targets.flatMap((t) => many(each, () => get(`${t.url}/healthz`, t.agent, {})));
  await Promise.all(open);
  const one = async (i: number): Promise<number | undefined> => {
    const t = targets[i % targets.length];
    const started = now();
    const status = t ? await get(`${t.url}/`, t.agent, headers).catch(() => 0) : 0;
    return status === 200 ? now() - started : undefined;
  };
  return {
    fire: async (n: number) => {
      const ms = await Promise.all(many(n, one));
      const latencies = ms.filter((m): m is number => m !== undefined);
      return { latencies, failed: n - latencies.length };
    },
    close: () => targets.forEach((t) => t.agent.destroy()),
  };
}
export type Burst = Awaited<ReturnType<typeof openBurst>>;
