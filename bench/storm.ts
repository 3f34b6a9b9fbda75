import { makeTokenStale } from '../harness/grant-records';
import { openBurst, type Burst } from './load';
import type { Settings } from './settings';
import { FORWARDED, type Stack } from './stack';
import { percentile, spread, sum } from './measure';

/**
 * A stale token, a slowed token endpoint, and a crowd on 1, 2 or 4 processes: exactly one
 * grant per expiry; "added p99" is against the same burst with a fresh token just before.
 */

export async function benchStorm(stack: Stack, s: Settings) {
  const control = stack.sandbox.control;
  const refreshes = async (): Promise<number> => (await control.stats()).token_refresh ?? 0;
  /** One expiry: the burst with a fresh token (the control), then with a stale one. */
  const trial = async (burst: Burst, processes: number) => {
    const fresh = await burst.fire(s.stormRequests);
    await makeTokenStale(stack.tokens, stack.userId);
    await control.fault({ target: 'token', delayMs: s.tokenDelayMs });
    const before = await refreshes();
    const storm = await burst.fire(s.stormRequests);
    const grants = (await refreshes()) - before;
    await control.clearFaults();
    const [p99, controlP99] = [percentile(storm.latencies, 99), percentile(fresh.latencies, 99)];
    const failed = storm.failed + fresh.failed; // non-200 answers
    const text = `${failed} failed, p99 ${p99.toFixed(0)} ms (control ${controlP99.toFixed(0)} ms)`;
    process.stderr.write(`  storm on ${processes}: ${grants} grant(s), ${text}\n`);
    return { processes, grants, failed, p99, controlP99, addedP99: p99 - controlP99 };
  };
  const trials: Awaited<ReturnType<typeof trial>>[] = [];
  const extra: Awaited<ReturnType<Stack['startApp']>>[] = [];
  try {
    while (extra.length + 1 < Math.max(...s.stormProcesses)) extra.push(await stack.startApp());
    for (const processes of s.stormProcesses) {
      const urls = [stack.app, ...extra].slice(0, processes).map((a) => a.url);
      const headers = { ...FORWARDED, cookie: stack.cookie };
      const burst = await openBurst(urls, Math.ceil(s.stormRequests / processes), headers);
      try {
        await burst.fire(s.stormRequests); // warm-up: JIT, connections to the sandbox
        for (let i = 0; i < s.stormTrials; i++) trials.push(await trial(burst, processes));
      } finally {
        burst.close();
      }
    }
  } finally {
    await control.clearFaults().catch(() => undefined);
    await Promise.all(extra.map((a) => a.stop()));
  }
  const summaries = s.stormProcesses.map((processes) => {
    const ts = trials.filter((t) => t.processes === processes);
    const [grants, failed] = [ts.map((t) => t.grants), sum(ts.map((t) => t.failed))];
    const over = (k: 'p99' | 'controlP99' | 'addedP99') => spread(ts.map((t) => t[k]));
    const p99s = { p99: over('p99'), controlP99: over('controlP99'), addedP99: over('addedP99') };
    return { processes, grants, failed, ...p99s };
  });
  return { requests: s.stormRequests, tokenDelayMs: s.tokenDelayMs, trials, summaries };
}
