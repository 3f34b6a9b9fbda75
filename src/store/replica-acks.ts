import calculateSlot from 'cluster-key-slot';
import { Cluster, type Redis } from 'ioredis';
import type { Logger } from '../log';
import type { RedisClient } from './redis';

export type ReplicaAck = 'acknowledged' | 'no replica' | 'not acknowledged' | 'failed';

/** How long a replica's answer is waited for; normally it takes well under a millisecond. */
export const REPLICA_ACK_TIMEOUT_MS = 200;
/** How long a primary's replicas are taken to be there before it is asked again. */
export const REPLICA_COUNT_TTL_MS = 5_000;

/**
 * Redis replicates asynchronously: a write acknowledged by a primary that fails before its
 * replica has it is gone. For a rotated refresh token that is the user's grant, so after such
 * a write this waits for one replica to hold it: `WAIT 1 <ms>` on the connection that made the
 * write (WAIT counts that connection's own writes), on the primary that owns the key's slot.
 *
 * Only when that primary has a replica (WAIT on one without would just sit out its timeout).
 * WAIT holds up the connection's other commands meanwhile, which the short timeout bounds.
 * When no replica answers in time the write still stands on the primary: logged, not failed.
 */
export class ReplicaAcks {
  private readonly replicaCounts = new WeakMap<Redis, { count: number; at: number }>();

  constructor(
    private readonly client: RedisClient,
    private readonly logger: Logger,
    private readonly timeoutMs = REPLICA_ACK_TIMEOUT_MS,
  ) {}

  async confirm(key: string): Promise<ReplicaAck> {
    const node = this.primaryFor(key);
    const started = performance.now();
    try {
      // A slot map that names nodes otherwise than their connections (NAT, host names).
      if (!node) throw new Error('no connection to the primary of the key’s slot');
      if ((await this.replicasOf(node)) === 0) return 'no replica';
      const acked = await node.wait(1, this.timeoutMs);
      if (acked >= 1) return 'acknowledged';
      this.logger.warn(
        { waitedMs: Math.round(performance.now() - started) },
        'no replica acknowledged the refreshed tokens in time; they stand on the primary only',
      );
      return 'not acknowledged';
    } catch (err) {
      this.logger.warn(
        { err: err instanceof Error ? err.message : 'unknown' },
        'could not wait for a replica; the refreshed tokens stand on the primary only',
      );
      return 'failed';
    }
  }

  /** The connection to the key's primary: the one the write itself went through. */
  private primaryFor(key: string): Redis | undefined {
    if (!(this.client instanceof Cluster)) return this.client;
    const owner = this.client.slots[calculateSlot(key)]?.[0];
    return this.client
      .nodes('master')
      .find((n) => `${n.options.host ?? ''}:${n.options.port ?? ''}` === owner);
  }

  private async replicasOf(node: Redis): Promise<number> {
    const cached = this.replicaCounts.get(node);
    if (cached && Date.now() - cached.at < REPLICA_COUNT_TTL_MS) return cached.count;
    const info = await node.info('replication');
    const count = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0);
    // "None" is remembered too (an INFO per refresh otherwise); a replica that joins is
    // waited for once this expires.
    this.replicaCounts.set(node, { count, at: Date.now() });
    return count;
  }
}
