import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startReaper, watchParents } from '../harness/lifeline';
import { stopAll } from '../harness/processes';
import { startRedisServer } from '../harness/redis';
import { benchCapacity } from './capacity';
import { benchCluster } from './cluster';
import { benchDashboard } from './dashboard';
import { benchMemory, benchRedisCommands, benchStartup } from './footprint';
import { capacitySection, clusterSection, dashboard, report } from './report';
import { MODE, SETTINGS as S } from './settings';
import { nodeLine, OWN_NODE, startBaseline, startStack } from './stack';
import type { NodeBinary, Stack } from './stack';
import { benchStorm } from './storm';

/** `npm run bench`; every process it starts is stopped at the end, on failure and on Ctrl-C. */
const RESULTS = path.join(__dirname, 'results');
const PROFILES = path.join(RESULTS, 'profiles');
const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);
const print = (text: string): void => void process.stdout.write(text);

/** f on each node in turn, never two at once (they would share the cores). */
async function inTurn<T>(nodes: readonly NodeBinary[], f: (node: NodeBinary) => Promise<T>) {
  const all: T[] = [];
  for (const node of nodes) all.push(await f(node));
  return all;
}
/** The app (the stack's own on this process's node) and a baseline on each node. */
async function startLines(stack: Stack, nodes: readonly NodeBinary[]) {
  const lines = await inTurn(nodes, async (node) => ({
    node: node.version,
    app: node === OWN_NODE ? stack.app : await stack.startApp({ node: node.bin }),
    baseline: await startBaseline(stack, node.bin),
  }));
  const stops = lines.flatMap((l) => [l.baseline, ...(l.app === stack.app ? [] : [l.app])]);
  return { lines, stop: () => Promise.all(stops.map((p) => p.stop())) };
}

async function measureAll(stack: Stack, nodes: readonly NodeBinary[], started: number) {
  const { lines, stop } = await startLines(stack, nodes);
  const high = { connections: S.highConnections, rounds: S.highRounds, roundSec: S.highRoundSec };
  const versions = nodes.map((n) => n.version).join(', ');
  log(`dashboard at c=${S.connections}, then c=${high.connections}, on Node ${versions}`);
  const dashboards = [await benchDashboard(stack, lines, S)];
  dashboards.push(await benchDashboard(stack, lines, { ...S, ...high }));
  await stop();
  log(`refresh storm on ${S.stormProcesses.join(', ')} processes`);
  const storm = await benchStorm(stack, S);
  log(`capacity: bytes per user, Zoom calls per action, the sweep over ${S.sweepGrants} grants`);
  const capacity = await benchCapacity(stack, {
    ...{ sweepGrants: S.sweepGrants, pacedGrants: S.pacedGrants },
    ...{ latencyMs: S.zoomLatencyMs, limitCycles: S.limitCycles },
  });
  log('Redis commands, then start-up and memory on each node');
  const redisCommands = await benchRedisCommands(stack, S.redisRequests);
  const startup = await inTurn(nodes, (node) => benchStartup(stack, S.startupRuns, node));
  const memory = await inTurn(nodes, (node) => benchMemory(stack, S, node));
  const redis = /^redis_version:(.+)$/m.exec(await stack.admin.info('server'))?.[1]?.trim();
  const [cpu, kernel] = [os.cpus()[0]?.model.trim() ?? 'unknown', os.release()];
  const machine = { cpu, cores: os.cpus().length, node: process.version, redis, kernel };
  await stack.close();
  const cluster = await benchCluster(S);
  const [date, seconds] = [new Date().toISOString(), (performance.now() - started) / 1000];
  const figures = {
    dashboard: dashboards,
    storm,
    capacity,
    redisCommands,
    startup,
    memory,
    cluster,
  };
  return { date, quick: MODE.quick, seconds, machine, settings: S, ...figures };
}
export type Results = Awaited<ReturnType<typeof measureAll>>;

async function main(): Promise<void> {
  const started = performance.now();
  if (MODE.only === 'cluster') return print(clusterSection(await benchCluster(S)));
  const nodes = [OWN_NODE, ...(MODE.profile ? [] : MODE.nodeLines.map(nodeLine))];
  const redis = await startRedisServer();
  const stack = await startStack({
    ...{ redisUrl: redis.url, redisPids: [redis.process.pid ?? -1] },
    nodeArgs: MODE.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`] : [],
  });
  if (MODE.only === 'capacity') {
    const capacity = await benchCapacity(stack, {
      ...{ sweepGrants: S.sweepGrants, pacedGrants: S.pacedGrants },
      ...{ latencyMs: S.zoomLatencyMs, limitCycles: S.limitCycles },
    });
    await stack.close();
    mkdirSync(RESULTS, { recursive: true });
    const file = path.join(RESULTS, `capacity-${capacity.after.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(capacity, null, 2)}\n`);
    log(`every raw figure: ${path.relative(process.cwd(), file)}`);
    return print(capacitySection(capacity));
  }
  if (MODE.profile || MODE.only === 'dashboard') {
    const { lines, stop } = await startLines(stack, nodes);
    const result = await benchDashboard(stack, lines, S);
    await stop();
    await stack.app.stop(); // a profile is written as the process exits
    await stack.close();
    const profiled = `profile in ${PROFILES}: Chrome DevTools → Performance → Load profile`;
    return MODE.profile ? log(profiled) : print(`${dashboard(result)}\n`);
  }
  const all = await measureAll(stack, nodes, started);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(all, null, 2)}\n`);
  print(report(all));
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
