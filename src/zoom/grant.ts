/**
 * A user's grant, as the domain sees it, and the storage it needs. The Redis adapters in
 * store/ implement these interfaces; nothing here knows Redis.
 *
 * A grant is made by a code exchange (an install) and has an id of its own: every session
 * signed in with it names that id, a refresh rewrites its tokens but never its id, and a
 * re-install makes a new one. So "is this session's grant still the stored one?" is a
 * comparison of two ids, done on the record the request reads anyway.
 */

/** Who signed in, as Zoom's profile said at sign-in: kept only inside the sealed grant. */
export interface Profile {
  readonly name: string;
  readonly email: string;
  /** For times in words; null when Zoom gives none. */
  readonly timezone: string | null;
}

/** One user's OAuth grant. Times are epoch milliseconds. */
export interface TokenRecord {
  /** Random id of this grant; '' for a record stored before grants had ids. */
  readonly grantId: string;
  /** The app's clock at the code exchange; 0 when unknown (a record from before). */
  readonly grantedAt: number;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessExpiresAt: number;
  readonly scopes: readonly string[];
  readonly apiUrl: string;
  /** Last write: the exchange or the latest refresh. */
  readonly updatedAt: number;
  /** Absent in records written before the profile moved here from the session. */
  readonly profile?: Profile;
}

/** What a session knows of its grant. */
export interface GrantRef {
  readonly userId: string;
  readonly grantId: string;
}

/** What was deleted when a grant ended. */
export interface ErasedGrant {
  readonly tokenRecord: boolean;
  readonly sessions: number;
}

export interface TokenWriteOptions {
  /** Keep the record's time to live (a write that is not use, e.g. the sweep's check). */
  readonly keepTtl?: boolean;
  /**
   * A refreshed record: Zoom has already killed the refresh token it replaces, so the write
   * must survive the loss of the storage's primary (wait for a replica to hold it).
   */
  readonly awaitReplica?: boolean;
}

export interface TokenStore {
  get(userId: string): Promise<TokenRecord | null>;
  put(userId: string, record: TokenRecord): Promise<void>;
  /**
   * Writes `next` only if the stored record is still exactly the one `seen` was read from
   * (compare-and-set on the sealed value): false if it was deleted or rewritten meanwhile.
   */
  compareAndSet(
    userId: string,
    seen: TokenRecord,
    next: TokenRecord,
    options?: TokenWriteOptions,
  ): Promise<boolean>;
  /**
   * Ends the grant: deletes the record and everything else kept for the user (their sessions,
   * history, counters, the refresh lock), in one step. Only if the record is still what the
   * caller saw: the one `seen` was read from, or none (`'absent'`); `'any'` is whatever is
   * stored. Null when it changed meanwhile, and then nothing is deleted. Idempotent.
   */
  erase(userId: string, seen: TokenRecord | 'absent' | 'any'): Promise<ErasedGrant | null>;
}

export class UnreadableTokenRecordError extends Error {
  constructor(
    readonly userId: string,
    reason: string,
  ) {
    super(`token record for a user could not be read: ${reason}`);
    this.name = 'UnreadableTokenRecordError';
  }
}

export interface LockHandle {
  readonly key: string;
  readonly owner: string;
}

export type LockAttempt =
  | { readonly kind: 'acquired'; readonly handle: LockHandle }
  | { readonly kind: 'busy' }
  /** Closed by a holder's cool-down (see `release`): `reason` is what the holder gave. */
  | { readonly kind: 'cooling'; readonly reason: string; readonly remainingMs: number };

/** A lock shared by every process. */
export interface DistributedLock {
  tryAcquire(key: string, ttlMs: number): Promise<LockAttempt>;
  /**
   * Frees the lock, if this handle still owns it. With a cool-down, the lock stays closed for
   * that long instead, and every attempt meanwhile is told `cooling` with the reason.
   */
  release(handle: LockHandle, coolDown?: { ms: number; reason: string }): Promise<boolean>;
  extend(handle: LockHandle, ttlMs: number): Promise<boolean>;
  /** Resolves when the lock is freed (or starts cooling down), or after `maxWaitMs`. */
  waitForRelease(key: string, maxWaitMs: number): Promise<void>;
}
