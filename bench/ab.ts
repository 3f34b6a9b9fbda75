import { FORWARDED_HEADERS, startApp, type AppProcess } from './lib/app';
import { coresUsed, cpuPer, cpuSnapshot } from './lib/cpu';
import { runLoad } from './lib/load';
import { log } from './lib/log';
import { sleep, stopAll } from './lib/procs';
import { closeStack, DASHBOARD_MARKER, startStack } from './lib/stack';
import { fmt, fmtSpread, spread } from './lib/stats';

/**
 * A/B of server builds on the dashboard, runs alternating so that noise on the machine hits
 * every build alike. To measure a change to src/, keep a copy of the build from before it:
 *
 *   cp -r dist/src dist/before && <change src> && npm run build
 *   node dist/bench/ab.js dist/before/server.js dist/src/server.js [--rounds 5] [--seconds 5] [--connections 20]
 */

interface Sample {
  readonly rps: number;
  readonly p99: number;
  readonly cpuMs: number;
  readonly otherCores: number;
}

function option(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) ? v : fallback;
}

async function main(argv: readonly string[]): Promise<void> {
  const scripts = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  if (scripts.length === 0) throw new Error('usage: ab <server.js> [<server.js> ...] [--rounds N]');
  const rounds = option(argv, '--rounds', 5);
  const seconds = option(argv, '--seconds', 5);
  const connections = option(argv, '--connections', 20);
  const stack = await startStack();
  const builds: { script: string; app: AppProcess; samples: Sample[] }[] = [];
  try {
    for (const script of scripts) {
      builds.push({ script, app: await startApp(stack.env, { script }), samples: [] });
    }
    const headers = { ...FORWARDED_HEADERS, cookie: stack.cookie };
    const load = (app: AppProcess, durationSec: number): ReturnType<typeof runLoad> =>
      runLoad({
        url: `${app.url}/`,
        connections,
        durationSec,
        headers,
        expectText: DASHBOARD_MARKER,
      });
    for (const b of builds) await load(b.app, 3); // warm-up
    for (let r = 1; r <= rounds; r++) {
      for (const b of builds) {
        await sleep(200);
        const pids = { server: b.app.proc.pid, sandbox: stack.sandbox.proc.pid };
        const before = cpuSnapshot(pids);
        const started = performance.now();
        const res = await load(b.app, seconds);
        const after = cpuSnapshot(pids);
        const sample: Sample = {
          rps: res.rps,
          p99: res.p99,
          cpuMs: cpuPer(before, after, res.ok).server ?? Number.NaN,
          otherCores: coresUsed(before, after, performance.now() - started).others,
        };
        b.samples.push(sample);
        const failed = res.non2xx + res.errors + res.mismatches + res.timeouts;
        log(
          `round ${r} ${b.script}: ${fmt(sample.rps, 0)} req/s, p99 ${fmt(sample.p99)} ms, ` +
            `server CPU ${fmt(sample.cpuMs, 3)} ms/req, other processes ${fmt(sample.otherCores, 2)} cores` +
            (failed > 0 ? `, FAILED ${failed}` : ''),
        );
      }
    }
    log('\nmedian (min–max)');
    for (const b of builds) {
      const of = (f: (s: Sample) => number): string => fmtSpread(spread(b.samples.map(f)), 2);
      log(`${b.script}\n  req/s ${of((s) => s.rps)}\n  p99 ms ${of((s) => s.p99)}`);
      log(
        `  server CPU ms/request ${of((s) => s.cpuMs)}\n  other processes, cores ${of((s) => s.otherCores)}`,
      );
    }
  } finally {
    await Promise.all(builds.map((b) => b.app.stop()));
    await closeStack(stack);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(`ab failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll().catch(() => undefined);
    process.exit(1);
  },
);
