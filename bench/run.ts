import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startReaper, watchParents } from '../harness/lifeline';
import { stopAll } from '../harness/processes';
import { startRedisServer } from '../harness/redis';
import { benchCluster } from './cluster';
import { benchDashboard } from './dashboard';
import { benchMemory, benchStartup } from './footprint';
import { benchRedisCommands } from './redis-commands';
import { clusterSection, report } from './report';
import { CLUSTER_ONLY, DASHBOARD_ONLY, PROFILE, QUICK, SETTINGS as S } from './settings';
import { startBaseline, startStack, type Stack } from './stack';
import { benchStorm } from './storm';

/**
 * `npm run bench`: the production build on a real redis-server, against the sandbox and a
 * bare node:http baseline, each in its own process. Prints a Markdown report and writes every
 * raw figure to bench/results/latest.json. Everything it starts is a tracked child of this
 * process, stopped at the end, on failure and on Ctrl-C.
 */

const RESULTS = path.join(__dirname, 'results');
const PROFILES = path.join(RESULTS, 'profiles');
const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);

/** Every figure of a full run; written to bench/results/latest.json as it is. */
async function measureAll(stack: Stack, started: number) {
  const baseline = await startBaseline(stack);
  const high = { connections: S.highConnections, rounds: S.highRounds, roundSec: S.highRoundSec };
  log(`dashboard at c=${S.connections}, then c=${S.highConnections}`);
  const dashboard = [await benchDashboard(stack, baseline, S)];
  dashboard.push(await benchDashboard(stack, baseline, { ...S, ...high }));
  await baseline.stop();
  log(`refresh storm on ${S.stormProcesses.join(', ')} processes`);
  const storm = await benchStorm(stack, S);
  log('Redis commands, start-up, memory');
  const redisCommands = await benchRedisCommands(stack, S.redisRequests);
  const startup = await benchStartup(stack, S.startupRuns);
  const memory = await benchMemory(stack, S);
  const info = await stack.admin.info('server');
  const redis = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
  const [cpu, kernel] = [os.cpus()[0]?.model.trim() ?? 'unknown', os.release()];
  const machine = { cpu, cores: os.cpus().length, node: process.version, redis, kernel };
  await stack.close();
  const cluster = await benchCluster(S);
  const [date, seconds] = [new Date().toISOString(), (performance.now() - started) / 1000];
  const figures = { dashboard, storm, redisCommands, startup, memory, cluster };
  return { date, quick: QUICK, seconds, machine, settings: S, ...figures };
}

export type Results = Awaited<ReturnType<typeof measureAll>>;

async function main(): Promise<void> {
  const started = performance.now();
  if (CLUSTER_ONLY) return void process.stdout.write(clusterSection(await benchCluster(S)));
  const redis = await startRedisServer();
  const stack = await startStack({
    redisUrl: redis.url,
    redisPids: [redis.process.pid ?? -1],
    nodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`] : [],
  });
  if (PROFILE || DASHBOARD_ONLY) {
    await benchDashboard(stack, await startBaseline(stack), S);
    await stack.app.stop(); // a profile is written as the process exits
    await stack.close();
    if (PROFILE) log(`profile in ${PROFILES}: Chrome DevTools → Performance → Load profile`);
    return;
  }
  const all = await measureAll(stack, started);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(all, null, 2)}\n`);
  process.stdout.write(report(all));
  log(`every raw figure: ${path.relative(process.cwd(), RESULTS)}/latest.json`);
}

const exit = (code: number) => () => void stopAll().then(() => process.exit(code));
process.once('SIGINT', exit(130)).once('SIGTERM', exit(143)).once('SIGHUP', exit(129));
// Even if npm, the shell or this process is killed outright, no child is left running.
startReaper();
watchParents(exit(143));
main().then(exit(0), (err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  exit(1)();
});
