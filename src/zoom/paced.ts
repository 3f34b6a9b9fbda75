import { secondsToUtcMidnight } from './errors';
import { AccountRestingError, type RateLimitWait, type ZoomCallKind, type ZoomPace } from './pace';

/**
 * The pace background work keeps with Zoom (see `pace.ts`): calls are spaced evenly, never in
 * bursts, by a ceiling for the whole run (token refreshes and REST calls together) and, for REST
 * calls, one per Zoom account (Zoom's REST limits are per account and shared with every app the
 * account uses). A 429 is honoured: `Retry-After` holds the account (or, from the token endpoint,
 * the whole run) that long; a daily limit holds the account until 00:00 UTC, and `acquire` for it
 * then fails at once with `AccountRestingError` instead of waiting for tomorrow.
 *
 * Calls are handed out in the order asked, one slot per `1000 / perSecond` ms. An account's calls
 * are queued among themselves, so a busy account waits for its own slots while the other
 * accounts' calls take the run's slots meanwhile.
 */

export interface PacedZoomOptions {
  /** Zoom calls per second for the whole run; `Infinity` (or 0): no ceiling. */
  readonly callsPerSecond: number;
  /** REST calls per second to one Zoom account; `Infinity` (or 0): no ceiling. */
  readonly restPerSecondPerAccount: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PaceCounts {
  readonly token: number;
  readonly rest: number;
  /** When the first and the last call were let through (null before any). */
  readonly firstAt: number | null;
  readonly lastAt: number | null;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Account {
  /** When its last call was let through. */
  lastAt: number;
  /** No call before this (Retry-After). */
  heldUntil: number;
  /** A daily limit: calls fail at once until `heldUntil`. */
  resting: boolean;
  /** Its callers, one at a time. */
  queue: Promise<void>;
}

export class PacedZoom implements ZoomPace {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly intervalMs: number;
  private readonly accountIntervalMs: number;
  /** The next free slot of the run. */
  private nextAt = -Infinity;
  private readonly accounts = new Map<string, Account>();
  private counts = {
    token: 0,
    rest: 0,
    firstAt: null as number | null,
    lastAt: null as number | null,
  };

  constructor(options: PacedZoomOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.intervalMs = intervalOf(options.callsPerSecond);
    this.accountIntervalMs = intervalOf(options.restPerSecondPerAccount);
  }

  async acquire(kind: ZoomCallKind, accountId?: string): Promise<void> {
    if (kind === 'rest' && accountId !== undefined) {
      await this.acquireForAccount(accountId);
    } else {
      await this.takeSlot();
    }
    this.counted(kind);
  }

  /**
   * Zoom answered 429: holds the account (a REST call) or the whole run (the token endpoint,
   * whose limit is the app's) for `retryAfterSeconds`; a daily limit, until 00:00 UTC.
   */
  rateLimited(kind: ZoomCallKind, wait: RateLimitWait, accountId?: string): void {
    const now = this.now();
    const until = wait.daily
      ? now + secondsToUtcMidnight(now) * 1000
      : now + wait.retryAfterSeconds * 1000;
    if (kind === 'rest' && accountId !== undefined) {
      const account = this.account(accountId);
      account.heldUntil = Math.max(account.heldUntil, until);
      account.resting ||= wait.daily === true;
      return;
    }
    this.nextAt = Math.max(this.nextAt, until);
  }

  /** Calls let through so far, for the run's report. */
  get calls(): PaceCounts {
    return { ...this.counts };
  }

  private async acquireForAccount(accountId: string): Promise<void> {
    const account = this.account(accountId);
    const turn = account.queue.then(async () => {
      const now = this.now();
      if (account.resting && now < account.heldUntil) {
        throw new AccountRestingError(accountId, account.heldUntil);
      }
      account.resting = false;
      const readyAt = Math.max(now, account.heldUntil, account.lastAt + this.accountIntervalMs);
      if (readyAt > now) await this.sleep(readyAt - now);
      account.lastAt = await this.takeSlot();
    });
    // The next caller waits for this one's slot, failed or not.
    account.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Waits for the run's next free slot; returns when it was let through. */
  private async takeSlot(): Promise<number> {
    const now = this.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.intervalMs;
    if (at > now) await this.sleep(at - now);
    return at;
  }

  private counted(kind: ZoomCallKind): void {
    const at = this.now();
    this.counts[kind]++;
    this.counts.firstAt ??= at;
    this.counts.lastAt = at;
  }

  private account(accountId: string): Account {
    let account = this.accounts.get(accountId);
    if (!account) {
      account = {
        lastAt: -Infinity,
        heldUntil: -Infinity,
        resting: false,
        queue: Promise.resolve(),
      };
      this.accounts.set(accountId, account);
    }
    return account;
  }
}

function intervalOf(perSecond: number): number {
  return perSecond > 0 && Number.isFinite(perSecond) ? 1000 / perSecond : 0;
}
