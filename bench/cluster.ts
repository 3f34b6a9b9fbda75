import { startRedisCluster } from '../harness/redis-cluster';
import { createLogger } from '../src/log';
import { createRedis } from '../src/store/redis';
import { ReplicaAcks } from '../src/store/replica-acks';
import { benchDashboard } from './dashboard';
import { percentile } from './measure';
import type { Settings } from './settings';
import { startStack, type Stack } from './stack';
import { benchStorm } from './storm';

// The dashboard and the storm on a Redis Cluster, and what the replica wait adds to a refresh.
/** A SET, then `confirm(key)` timed, as after a refresh; keys over every primary. */
async function benchReplicaWait(seeds: string, waits: number) {
  const client = createRedis({ url: seeds, cluster: true, tlsRejectUnauthorized: false }, 'bench');
  const acks = new ReplicaAcks(client, createLogger('warn', process.stderr));
  const [ms, outcomes]: [number[], Record<string, number>] = [[], {}];
  try {
    // 20 untimed first: each primary's replica count is asked once, then cached for 5 s.
    for (let i = -20; i < waits; i++) {
      await client.set(`bench:wait:{${i}}`, 'x', 'EX', 60);
      const started = performance.now();
      const outcome = await acks.confirm(`bench:wait:{${i}}`);
      if (i < 0) continue;
      ms.push(performance.now() - started);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  } finally {
    client.disconnect();
  }
  return { waits, outcomes, medianMs: percentile(ms, 50), p99Ms: percentile(ms, 99), ms };
}

export async function benchCluster(s: Settings) {
  process.stderr.write('bench: Redis Cluster (3 primaries, 1 replica each)\n');
  const cluster = await startRedisCluster({ primaries: 3, replicas: 1 });
  let stack: Stack | undefined;
  try {
    const redisPids = cluster.nodes.map((n) => n.pid);
    stack = await startStack({ redisUrl: cluster.seeds, redisPids, cluster: true });
    const line = { node: process.version, app: stack.app };
    const dashboard = await benchDashboard(stack, [line], { ...s, rounds: s.clusterRounds });
    const storm = await benchStorm(stack, { ...s, stormProcesses: [2] });
    const replicaWait = await benchReplicaWait(cluster.seeds, s.replicaWaits);
    return { nodes: cluster.nodes.length, dashboard, storm, replicaWait };
  } finally {
    await stack?.close();
    await cluster.stop();
  }
}
export type ClusterResult = Awaited<ReturnType<typeof benchCluster>>;
