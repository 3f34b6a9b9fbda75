import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePort, PortTakenError } from './processes';
import { startRedisServer, type RunningRedis } from './redis';

/**
 * A real Redis Cluster from Debian's redis-server on loopback ports, for tests and the bench:
 * `primaries` primaries with `replicas` replicas each, made by `redis-cli --cluster create`.
 * Nodes can be killed, restarted and failed over; everything lives in a temporary folder that
 * `stop()` removes.
 */

const run = promisify(execFile);

/** Short, so a killed primary's replica takes over in about two seconds. */
const NODE_TIMEOUT_MS = 1_000;

export interface ClusterNode {
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  /** The redis-server's process id now (a restart changes it); -1 while stopped. */
  readonly pid: number;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
  /** SIGTERM, then started again on the same port with the same identity and data. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a node that is there but does not answer (keep it under 1 s). */
  pause(): void;
  resume(): void;
}

export interface RunningCluster {
  readonly nodes: ClusterNode[];
  /** Every node's URL, comma-separated: what REDIS_URL holds with REDIS_CLUSTER=1. */
  readonly seeds: string;
  /** The node that serves `key` now (the primary of its slot). */
  primaryFor(key: string): Promise<ClusterNode>;
  /** A replica of that primary. */
  replicaOf(primary: ClusterNode): Promise<ClusterNode>;
  /** Moves the slot of `key` to another primary, key by key (ASK meanwhile, then MOVED). */
  moveSlotOf(key: string): Promise<ClusterNode>;
  /** `CLUSTER FAILOVER` on a replica, resolved once it is a primary. */
  failover(replica: ClusterNode): Promise<void>;
  /**
   * Until every running node reports cluster_state:ok and the same primaries; with
   * `replicated`, also until every primary has its replicas connected and in sync.
   */
  waitHealthy(opts?: { replicated?: boolean; timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  masterId: string;
  slots: [number, number][];
}

/**
 * Where the system picks the source ports of outgoing connections (and the ports of
 * listen(0)): a port in it that is free now can be taken by any connection a moment later.
 */
function ephemeralPortsFrom(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768; // Linux's default
  }
}

/**
 * A port whose cluster bus port (port + 10000) is free too. A node keeps its port for life
 * (a restart binds it again), so both are taken below the ephemeral range when there is room:
 * there no outgoing connection, nor a freePort() of another test, can take them meanwhile.
 */
async function clusterPort(taken: Set<number>): Promise<number> {
  const below = ephemeralPortsFrom() - 10_000; // the bus port stays under the range too
  for (let tries = 0; ; tries++) {
    const port = below > 12_000 && tries < 100 ? randomInt(10_000, below) : await freePort();
    if (port + 10_000 > 65_535 || taken.has(port) || taken.has(port + 10_000)) continue;
    if (!(await portIsFree(port)) || !(await portIsFree(port + 10_000))) continue;
    taken.add(port).add(port + 10_000);
    return port;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = '', , , , , ...slots] = line.split(' ');
      return {
        id,
        port: Number(/:(\d+)@/.exec(address)?.[1] ?? 0),
        flags: flags.split(','),
        masterId,
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s): [number, number] => {
            const [a, b] = s.split('-').map(Number);
            return [a ?? 0, b ?? a ?? 0];
          }),
      };
    });
}

export async function startRedisCluster(
  opts: { primaries?: number; replicas?: number } = {},
): Promise<RunningCluster> {
  const primaries = opts.primaries ?? 3;
  const replicas = opts.replicas ?? 1;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zar-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];

  const servers = new Map<number, RunningRedis>();
  const boot = async (port: number): Promise<void> => {
    servers.set(
      port,
      await startRedisServer({
        port,
        dataDir: path.join(dir, String(port)),
        extraArgs: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(NODE_TIMEOUT_MS),
          // A replica may always take over, however long it was cut off (tests kill nodes).
          '--cluster-replica-validity-factor',
          '0',
        ],
      }),
    );
  };
  const stopped = new Set<number>();
  try {
    for (let i = 0; i < primaries * (1 + replicas); i++) {
      // Before the cluster is made, a port taken since it was found free is traded for another.
      for (let attempt = 1; ; attempt++) {
        const port = await clusterPort(taken);
        mkdirSync(path.join(dir, String(port)));
        try {
          await boot(port);
          ports.push(port);
          break;
        } catch (err) {
          if (!(err instanceof PortTakenError) || attempt === 5) throw err;
        }
      }
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
  } catch (err) {
    for (const s of servers.values()) await s.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a Redis Cluster: ${(err as Error).message}`, { cause: err });
  }

  const ask = async <T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> => {
    const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await fn(r);
    } finally {
      r.disconnect();
    }
  };
  const topology = async (): Promise<NodeLine[]> => {
    for (const port of ports) {
      if (stopped.has(port)) continue;
      try {
        return parseNodes(String(await ask(port, (r) => r.call('CLUSTER', 'NODES'))));
      } catch {
        // that node is down: ask another
      }
    }
    throw new Error('no cluster node answers');
  };
  const node = (port: number): ClusterNode => ({
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return !stopped.has(port);
    },
    get pid() {
      return (stopped.has(port) ? undefined : servers.get(port)?.process.pid) ?? -1;
    },
    kill: async () => {
      const s = servers.get(port);
      stopped.add(port);
      if (!s) return;
      const exited = new Promise<void>((r) => s.process.once('exit', () => r()));
      s.process.kill('SIGKILL');
      await exited;
    },
    pause: () => servers.get(port)?.process.kill('SIGSTOP'),
    resume: () => servers.get(port)?.process.kill('SIGCONT'),
    restart: async () => {
      if (!stopped.has(port)) await servers.get(port)?.stop();
      await boot(port);
      stopped.delete(port);
    },
  });
  const nodes = ports.map(node);
  const byPort = (port: number): ClusterNode => {
    const found = nodes.find((n) => n.port === port);
    if (!found) throw new Error(`no node on port ${port}`);
    return found;
  };

  const ownerOf = async (
    key: string,
  ): Promise<{ slot: number; owner: NodeLine; lines: NodeLine[] }> => {
    const running = ports.find((p) => !stopped.has(p)) ?? 0;
    const slot = Number(await ask(running, (r) => r.call('CLUSTER', 'KEYSLOT', key)));
    const lines = await topology();
    const owner = lines.find(
      (l) =>
        l.flags.includes('master') &&
        !l.flags.includes('fail') &&
        l.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    if (!owner) throw new Error(`no primary serves slot ${slot}`);
    return { slot, owner, lines };
  };
  /** Who serves which slots, as one node sees it. */
  const slotOwners = (lines: NodeLine[]): string =>
    lines
      .filter((l) => l.flags.includes('master') && l.slots.length > 0)
      .map((l) => `${l.port}:${JSON.stringify(l.slots)}`)
      .sort()
      .join(' ');
  const waitHealthy = async (
    opts: { replicated?: boolean; timeoutMs?: number } = {},
  ): Promise<void> => {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    for (;;) {
      const views = await Promise.all(
        ports
          .filter((p) => !stopped.has(p))
          .map((p) =>
            ask(p, async (r) => {
              const info = String(await r.call('CLUSTER', 'INFO'));
              const replication = await r.info('replication');
              const lines = parseNodes(String(await r.call('CLUSTER', 'NODES')));
              const me = lines.find((l) => l.flags.includes('myself'));
              const servesSlots = me?.flags.includes('master') && me.slots.length > 0;
              const replicasUp = Number(/connected_slaves:(\d+)/.exec(replication)?.[1] ?? 0);
              const ok =
                info.includes('cluster_state:ok') &&
                !/master_link_status:down/.test(replication) &&
                (!opts.replicated || !servesSlots || replicasUp >= replicas) &&
                !lines.some((l) => l.flags.includes('fail') && !stopped.has(l.port));
              return ok ? slotOwners(lines) : null;
            }).catch(() => null),
          ),
      );
      if (views.every((v) => v !== null && v === views[0])) return;
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not become healthy');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await waitHealthy({ replicated: true });

  return {
    nodes,
    seeds: nodes.map((n) => n.url).join(','),
    primaryFor: async (key) => byPort((await ownerOf(key)).owner.port),
    moveSlotOf: async (key) => {
      const { slot, owner, lines } = await ownerOf(key);
      const masters = lines.filter((l) => l.flags.includes('master') && !l.flags.includes('fail'));
      const target = masters.find((l) => l.port !== owner.port);
      if (!target) throw new Error('no other primary');
      await ask(target.port, (r) => r.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', owner.id));
      await ask(owner.port, (r) => r.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id));
      for (;;) {
        const keys = (await ask(owner.port, (r) =>
          r.call('CLUSTER', 'GETKEYSINSLOT', slot, 1),
        )) as string[];
        if (keys.length === 0) break;
        await ask(owner.port, (r) =>
          r.call('MIGRATE', '127.0.0.1', target.port, '', 0, 5_000, 'KEYS', ...keys),
        );
        await new Promise((r) => setTimeout(r, 100)); // requests meanwhile meet ASK
      }
      for (const m of masters) {
        await ask(m.port, (r) => r.call('CLUSTER', 'SETSLOT', slot, 'NODE', target.id));
      }
      return byPort(target.port);
    },
    replicaOf: async (primary) => {
      const lines = await topology();
      const id = lines.find((l) => l.port === primary.port)?.id;
      const replica = lines.find((l) => l.masterId === id && !stopped.has(l.port));
      if (!replica) throw new Error(`no running replica of ${primary.port}`);
      return byPort(replica.port);
    },
    failover: async (replica) => {
      await ask(replica.port, (r) => r.call('CLUSTER', 'FAILOVER'));
      const deadline = Date.now() + 10_000;
      while ((await ask(replica.port, (r) => r.role()))[0] !== 'master') {
        if (Date.now() > deadline) throw new Error(`${replica.port} did not become a primary`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    waitHealthy,
    stop: async () => {
      for (const [port, s] of servers) if (!stopped.has(port)) await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
