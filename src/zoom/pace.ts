/**
 * How background work (the sweep, due ends) waits its turn for Zoom: Zoom's rate limits are
 * per account and shared with every other app the account uses, so a run must not spend them.
 */
export type ZoomCallKind = 'token' | 'rest';

/** What Zoom's 429 asked: wait this long, or (a daily limit) until 00:00 UTC. */
export interface RateLimitWait {
  readonly retryAfterSeconds: number;
  readonly daily?: boolean;
}

export interface ZoomPace {
  /**
   * Resolves when one more Zoom call of this kind may start; `accountId` for REST calls. Fails
   * with `AccountRestingError` for an account whose daily limit is spent.
   */
  acquire(kind: ZoomCallKind, accountId?: string): Promise<void>;
  /** Zoom answered 429: no call of the kind (to the account, for REST) before it allows. */
  rateLimited(kind: ZoomCallKind, wait: RateLimitWait, accountId?: string): void;
}

/** The account hit Zoom's daily limit: no call to it before `until` (00:00 UTC). */
export class AccountRestingError extends Error {
  constructor(
    readonly accountId: string,
    readonly until: number,
  ) {
    super('Zoom’s daily limit for this account is spent until 00:00 UTC');
    this.name = 'AccountRestingError';
  }
}

/** No ceiling: for tests and requests a user is waiting on. */
export const unpaced: ZoomPace = {
  acquire: () => Promise.resolve(),
  rateLimited: () => undefined,
};
