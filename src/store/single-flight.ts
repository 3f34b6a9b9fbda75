import type { Logger } from '../log';
import {
  StorageUnavailableError,
  type CoolDown,
  type FlightPlan,
  type SingleFlight,
} from '../zoom/grant';
import type { DistributedLock, LockHandle } from './lock';

export interface LockedSingleFlightOptions {
  /** The lock's life; a live holder extends it every third of that. */
  readonly lockTtlMs: number;
  /** How long past a lock's life a waiter waits before giving up. */
  readonly waitMarginMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** The lock's choreography: take, keep alive, release (maybe into a cool-down); or wait, re-read */
export class LockedSingleFlight implements SingleFlight {
  private readonly now: () => number;

  constructor(
    private readonly lock: DistributedLock,
    private readonly options: LockedSingleFlightOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async run<T>(key: string, plan: FlightPlan<T>): Promise<T> {
    const { lock, options } = this;
    // A dead holder frees the lock after its TTL; past that and the margin, storage is the trouble.
    const giveUpAt = this.now() + options.lockTtlMs + options.waitMarginMs;
    for (;;) {
      const attempt = await lock.tryAcquire(key, options.lockTtlMs);
      if (attempt.kind === 'acquired') return this.holding(attempt.handle, plan);
      if (attempt.kind === 'cooling') {
        // A re-install may have made the run unneeded since the failure.
        const value = await plan.read();
        if (!plan.stillNeeded(value)) return value;
        throw plan.whileCooling(attempt.reason, attempt.remainingMs);
      }
      if (this.now() > giveUpAt) throw new StorageUnavailableError('lock');
      await lock.waitForRelease(key, Math.max(0, giveUpAt - this.now()));
      const value = await plan.read();
      if (!plan.stillNeeded(value)) return value;
    }
  }

  private async holding<T>(handle: LockHandle, plan: FlightPlan<T>): Promise<T> {
    const { lock, options } = this;
    // A slow run must not let a second one start on what the first is already spending.
    const heartbeat = setInterval(() => {
      lock.extend(handle, options.lockTtlMs).catch(() => undefined);
    }, options.lockTtlMs / 3);
    let coolDown: CoolDown | undefined;
    try {
      const value = await plan.read();
      if (!plan.stillNeeded(value)) return value; // another process ran while we queued
      return await plan.run(value);
    } catch (err) {
      coolDown = plan.coolDownAfter(err);
      throw err;
    } finally {
      clearInterval(heartbeat);
      await lock.release(handle, coolDown).catch((err: unknown) => {
        // It expires by itself; waiters then wake on their timeout.
        options.logger.warn(
          { ...plan.logFields, err: err instanceof Error ? err.name : typeof err },
          'refresh lock release failed',
        );
      });
    }
  }
}
