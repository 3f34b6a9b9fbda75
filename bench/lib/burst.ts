import http from 'node:http';

/**
 * A burst: `total` GET requests fired at once, spread round-robin over several app processes,
 * on keep-alive sockets opened beforehand (so connection set-up is not in the latencies).
 */

export interface BurstTarget {
  readonly url: string;
  readonly agent: http.Agent;
}

export interface BurstOutcome {
  readonly latencies: number[];
  readonly failed: number;
  /** A few failure descriptions, for the report. */
  readonly failures: string[];
}

/** One keep-alive agent per process with `sockets` connections already open. */
export async function prepareTargets(
  urls: readonly string[],
  sockets: number,
): Promise<BurstTarget[]> {
  const targets = urls.map((url) => ({
    url,
    agent: new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets }),
  }));
  await Promise.all(
    targets.flatMap((t) =>
      Array.from({ length: sockets }, () =>
        get(`${t.url}/healthz`, t.agent, {}).then(() => undefined),
      ),
    ),
  );
  return targets;
}

export function closeTargets(targets: readonly BurstTarget[]): void {
  for (const t of targets) t.agent.destroy();
}

export async function burst(
  targets: readonly BurstTarget[],
  total: number,
  path: string,
  headers: http.OutgoingHttpHeaders,
  accept: (status: number, body: string) => boolean,
): Promise<BurstOutcome> {
  const pending: Promise<{ ms: number; ok: boolean; why: string }>[] = [];
  for (let i = 0; i < total; i++) {
    const target = targets[i % targets.length];
    if (!target) throw new Error('no burst target');
    const started = performance.now();
    pending.push(
      get(`${target.url}${path}`, target.agent, headers).then(
        ({ status, body }) => ({
          ms: performance.now() - started,
          ok: accept(status, body),
          why: `status ${status}`,
        }),
        (err: unknown) => ({
          ms: performance.now() - started,
          ok: false,
          why: err instanceof Error ? err.message : String(err),
        }),
      ),
    );
  }
  const results = await Promise.all(pending);
  const failures = results.filter((r) => !r.ok);
  return {
    latencies: results.filter((r) => r.ok).map((r) => r.ms),
    failed: failures.length,
    failures: [...new Set(failures.map((f) => f.why))].slice(0, 3),
  };
}

function get(
  url: string,
  agent: http.Agent,
  headers: http.OutgoingHttpHeaders,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
