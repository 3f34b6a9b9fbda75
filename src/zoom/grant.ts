/**
 * A user's grant as the domain sees it, and the storage it needs (implemented in store/). A
 * grant's id is made at the code exchange and kept by every refresh: a session's grant is
 * current when the stored record names the same id.
 */

/** Who signed in, as Zoom's profile said at sign-in: kept only inside the sealed grant. */
export interface Profile {
  readonly name: string;
  readonly email: string;
  /** For times in words; null when Zoom gives none. */
  readonly timezone: string | null;
  /** The Zoom account, whose REST rate limits the user shares; absent in older records. */
  readonly accountId?: string;
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
   * Writes `next` only if the stored record still equals `seen`, field for field (a copy of a
   * record is the same record): false if it was deleted or rewritten meanwhile.
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
   * caller saw: equal to `seen`, or none (`'absent'`); `'any'` is whatever is stored. Null when
   * it changed meanwhile, and then nothing is deleted. Idempotent.
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

/** Storage, not Zoom, failed the refresh: the lock could not be had, or tokens not written. */
export class StorageUnavailableError extends Error {
  constructor(readonly step: 'lock' | 'write') {
    super(step === 'lock' ? 'refresh lock not acquired in time' : 'refreshed tokens not stored');
    this.name = 'StorageUnavailableError';
  }
}

/** Keeps a key closed after a failed run: every caller meanwhile is told `reason`. */
export interface CoolDown {
  readonly ms: number;
  readonly reason: string;
}

/** What one run across processes is for; the single flight decides who runs and when. */
export interface FlightPlan<T> {
  /** The value as stored now: read under the lock and after every wait. */
  read(): Promise<T>;
  /** Whether a value read still calls for the run (another process may have done it). */
  stillNeeded(value: T): boolean;
  /** The run, holding the key, from the value read under it. */
  run(value: T): Promise<T>;
  /** A failed run that keeps the key closed for a while (and why), or none. */
  coolDownAfter(err: unknown): CoolDown | undefined;
  /** What a caller meets while the key cools down and the value still needs the run. */
  whileCooling(reason: string, remainingMs: number): Error;
  /** Named in the log line of a release that failed. */
  readonly logFields: Readonly<Record<string, string>>;
}

/**
 * At most one run per key at a time across every process; the others wait for it and re-read.
 * Throws StorageUnavailableError('lock') when no run could be had in time.
 */
export interface SingleFlight {
  run<T>(key: string, plan: FlightPlan<T>): Promise<T>;
}
