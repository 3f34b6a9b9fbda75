/**
 * How background work (the sweep, due ends) waits its turn for Zoom: Zoom's rate limits are
 * per account and shared with every other app the account uses, so a run must not spend them.
 */
export type ZoomCallKind = 'token' | 'rest';

export interface ZoomPace {
  /** Resolves when one more Zoom call of this kind may start; `accountId` for REST calls. */
  acquire(kind: ZoomCallKind, accountId?: string): Promise<void>;
}

/** No ceiling: for tests and requests a user is waiting on. */
export const unpaced: ZoomPace = { acquire: () => Promise.resolve() };
