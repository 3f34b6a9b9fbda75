import { randomBytes } from 'node:crypto';
import type { Logger } from '../log';
import { isZoomApiError } from './errors';
import { isFresh } from './expiry';
import {
  UnreadableTokenRecordError,
  type DistributedLock,
  type ErasedGrant,
  type GrantRef,
  type Profile,
  type TokenRecord,
  type TokenStore,
} from './grant';
import type { TokenRefresher } from './oauth';
import { OAuthError } from './oauth-errors';
import type { TokenSet } from './token-response';

/**
 * Hands out access tokens for a grant and keeps the grant alive, from its code exchange to its
 * end.
 *
 * Zoom rotates the refresh token on every use and the old one dies at once, so a refresh must
 * happen exactly once however many requests on however many processes find the token stale
 * together. Two layers make it so:
 *  - in this process, callers for the same user share one refresh (no thundering herd on Redis);
 *  - across processes, a Redis lock: take it, re-read the record, refresh only if it is still
 *    needed, write the new record (compare-and-set), release. Waiters wake and re-read.
 * A refusal that is not a dead grant closes the lock for a while (a cool-down), so that page
 * views do not turn into a stream of refreshes Zoom keeps refusing.
 */

/** The session's grant is gone (deauthorized, disconnected, erased) or was replaced. */
export class GrantEndedError extends Error {
  constructor(readonly userId: string) {
    super('the grant of this session has ended');
    this.name = 'GrantEndedError';
  }
}

/** Zoom no longer honours the grant; everything kept for the user has been erased. */
export class ReconnectRequiredError extends Error {
  constructor(readonly userId: string) {
    super('Zoom refused the grant: reconnect to Zoom required');
    this.name = 'ReconnectRequiredError';
  }
}

/** Storage, not Zoom, failed the refresh: the lock could not be had, or tokens not written. */
export class StorageUnavailableError extends Error {
  constructor(readonly step: 'lock' | 'write') {
    super(step === 'lock' ? 'refresh lock not acquired in time' : 'refreshed tokens not stored');
    this.name = 'StorageUnavailableError';
  }
}

export interface TokenManagerOptions {
  readonly store: TokenStore;
  readonly lock: DistributedLock;
  /** The refresh lock's key of a user. */
  readonly lockKeyFor: (userId: string) => string;
  readonly refresher: TokenRefresher;
  readonly logger: Logger;
  readonly refreshMarginMs: number;
  /** The lock's life; a live holder extends it every third of that. */
  readonly lockTtlMs: number;
  /** How long past a lock's life a waiter waits before answering "try again". */
  readonly refreshWaitMarginMs: number;
  /** How long a refusal that leaves the grant alive keeps the user's refresh closed. */
  readonly refusalCoolDownMs: number;
  readonly defaultApiUrl: string;
  readonly now?: () => number;
  /** Called once per refresh grant actually sent to Zoom (metrics, tests). */
  readonly onRefreshGrant?: (userId: string) => void;
}

/** What the grant allows, for telling the user before they click what needs more permission. */
export interface GrantScopes {
  readonly scopes: readonly string[];
  /** Who signed in with the grant (null for a grant stored before profiles were kept). */
  readonly profile: Profile | null;
}

export type GrantEnding =
  | ({ readonly kind: 'erased' } & ErasedGrant)
  /** A newer grant than the event names is stored: left alone. */
  | { readonly kind: 'newer_grant' };

export type ZoomVerdict = 'alive' | 'dead' | 'gone' | 'unreadable';

type NeedsRefresh = (record: TokenRecord) => boolean;

interface RefreshOptions {
  readonly keepTtl: boolean;
}

/** With the back-off, about 8 s of Redis trouble after Zoom has rotated the tokens. */
const PERSIST_ATTEMPTS = 10;
/** A grant that changes this often while being ended is being fought over: let the caller retry. */
const END_ATTEMPTS = 5;

export class TokenManager {
  private readonly inflight = new Map<string, Promise<TokenRecord>>();
  private readonly now: () => number;

  constructor(private readonly options: TokenManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves when no refresh of this process is in flight (shutdown waits for it: a refresh
   * Zoom has answered must reach Redis, or its rotated refresh token is lost).
   */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) {
      await Promise.allSettled([...this.inflight.values()]);
    }
  }

  /** Stores a new grant (an install or a re-install): a new id, granted now. */
  async beginGrant(userId: string, tokens: TokenSet, profile?: Profile): Promise<GrantRef> {
    const grantId = randomBytes(16).toString('base64url');
    const record = this.toRecord(tokens, {
      grantId,
      grantedAt: this.now(),
      apiUrl: null,
      profile,
    });
    await this.options.store.put(userId, record);
    return { userId, grantId };
  }

  /** Whether `ref` names the grant stored now (a session's check when it is written back). */
  async isCurrent(ref: GrantRef): Promise<boolean> {
    const record = await this.readRecord(ref.userId);
    return record !== null && sameGrant(record, ref);
  }

  /** A token good for at least the refresh margin; refreshes (once, everywhere) when stale. */
  async accessTokenFor(ref: GrantRef): Promise<string> {
    return (await this.liveRecord(ref)).accessToken;
  }

  /**
   * Runs `call` with the grant's access token. If Zoom refuses the token (401), refreshes
   * through the same single flight and retries once: if another request already replaced the
   * refused token, its replacement is used and no refresh is spent.
   */
  async withAccessToken<T>(
    ref: GrantRef,
    call: (accessToken: string, grant: GrantScopes) => Promise<T>,
  ): Promise<T> {
    const { accessToken, scopes, profile } = await this.liveRecord(ref);
    try {
      return await call(accessToken, { scopes, profile: profile ?? null });
    } catch (err) {
      if (!isZoomApiError(err, 'unauthorized')) throw err;
      const renewed = await this.refreshOnce(ref.userId, (r) => r.accessToken === accessToken);
      if (!sameGrant(renewed, ref)) throw new GrantEndedError(ref.userId);
      return call(renewed.accessToken, {
        scopes: renewed.scopes,
        profile: renewed.profile ?? null,
      });
    }
  }

  /** Who signed in with this grant (null when it has ended, or predates kept profiles). */
  async profileOf(ref: GrantRef): Promise<Profile | null> {
    const record = await this.readRecord(ref.userId);
    return record && sameGrant(record, ref) ? (record.profile ?? null) : null;
  }

  /**
   * Asks Zoom whether the user's grant is still honoured, by refreshing it through the same
   * single flight as every request (so it never races one). The write keeps the record's time
   * to live: a check is not use. A dead grant is erased like any other.
   */
  async verifyWithZoom(userId: string): Promise<ZoomVerdict> {
    let record: TokenRecord | null;
    try {
      record = await this.options.store.get(userId);
    } catch (err) {
      if (err instanceof UnreadableTokenRecordError) return 'unreadable';
      throw err;
    }
    if (!record) return 'gone';
    const seen = record.refreshToken;
    try {
      await this.refreshOnce(userId, (r) => r.refreshToken === seen, { keepTtl: true });
      return 'alive';
    } catch (err) {
      if (err instanceof ReconnectRequiredError) return 'dead';
      if (err instanceof GrantEndedError) return 'gone';
      throw err;
    }
  }

  /**
   * Ends the user's grant and erases everything kept for them. With `grantedBefore` (a
   * deauthorization's time), a grant made at or after it — a re-install that a late or
   * repeated event must not undo — is left alone.
   */
  async endGrant(userId: string, grantedBefore?: number): Promise<GrantEnding> {
    for (let attempt = 1; attempt <= END_ATTEMPTS; attempt++) {
      let record: TokenRecord | null;
      let unreadable = false;
      try {
        record = await this.options.store.get(userId);
      } catch (err) {
        if (!(err instanceof UnreadableTokenRecordError)) throw err;
        record = null;
        unreadable = true; // its grant time cannot be known, and it can serve no one
      }
      if (record && grantedBefore !== undefined && record.grantedAt >= grantedBefore) {
        return { kind: 'newer_grant' };
      }
      const erased = await this.options.store.erase(
        userId,
        unreadable ? 'any' : (record ?? 'absent'),
      );
      if (erased) return { kind: 'erased', ...erased };
      // The record changed between our read and the erase (a refresh, a re-install): look again.
    }
    throw new Error('the grant kept changing while being ended');
  }

  /** The stored record of this grant, fresh; refreshed first if stale. */
  private async liveRecord(ref: GrantRef): Promise<TokenRecord> {
    const record = await this.readRecord(ref.userId);
    if (!record || !sameGrant(record, ref)) throw new GrantEndedError(ref.userId);
    if (this.fresh(record)) return record;
    const renewed = await this.refreshOnce(ref.userId, (r) => !this.fresh(r));
    if (!sameGrant(renewed, ref)) throw new GrantEndedError(ref.userId);
    return renewed;
  }

  /**
   * A record that cannot be opened (a key no longer configured, or tampering) is kept for the
   * operator to investigate, never silently dropped; the user is signed out and can connect
   * again, which overwrites it with a readable one.
   */
  private async readRecord(userId: string): Promise<TokenRecord | null> {
    try {
      return await this.options.store.get(userId);
    } catch (err) {
      if (!(err instanceof UnreadableTokenRecordError)) throw err;
      this.options.logger.error({ userId, err: err.message }, 'token record unreadable');
      return null;
    }
  }

  private fresh(record: TokenRecord): boolean {
    return isFresh(record.accessExpiresAt, this.now(), this.options.refreshMarginMs);
  }

  /** In-process single flight in front of the cross-process one. Failures are shared too. */
  private async refreshOnce(
    userId: string,
    needsRefresh: NeedsRefresh,
    refresh: RefreshOptions = { keepTtl: false },
  ): Promise<TokenRecord> {
    for (;;) {
      const pending = this.inflight.get(userId);
      if (!pending) break;
      const record = await pending;
      if (!needsRefresh(record)) return record;
    }
    const run = this.refreshAcrossProcesses(userId, needsRefresh, refresh);
    this.inflight.set(userId, run);
    try {
      return await run;
    } finally {
      if (this.inflight.get(userId) === run) this.inflight.delete(userId);
    }
  }

  private async refreshAcrossProcesses(
    userId: string,
    needsRefresh: NeedsRefresh,
    refresh: RefreshOptions,
  ): Promise<TokenRecord> {
    const { lock, store, lockTtlMs, logger } = this.options;
    const lockKey = this.options.lockKeyFor(userId);
    // A holder that dies frees the lock after its TTL; a live one answers within Zoom's
    // timeout. Past this, something is wrong with storage, and "try again" serves the user.
    const giveUpAt = this.now() + lockTtlMs + this.options.refreshWaitMarginMs;
    for (;;) {
      const attempt = await lock.tryAcquire(lockKey, lockTtlMs);
      if (attempt.kind === 'acquired') {
        const { handle } = attempt;
        // Kept alive while Zoom answers: a slow refresh must not let a second one start with
        // the refresh token that the first is already spending.
        const heartbeat = setInterval(() => {
          lock.extend(handle, lockTtlMs).catch(() => undefined);
        }, lockTtlMs / 3);
        let coolDown: { ms: number; reason: string } | undefined;
        try {
          return await this.refreshHoldingLock(userId, needsRefresh, refresh);
        } catch (err) {
          coolDown = this.coolDownAfter(err);
          throw err;
        } finally {
          clearInterval(heartbeat);
          await lock.release(handle, coolDown).catch((err: unknown) => {
            // It expires by itself; waiters then wake on their timeout.
            logger.warn({ userId, err: loggableError(err) }, 'refresh lock release failed');
          });
        }
      }
      if (attempt.kind === 'cooling') {
        // A refresh was refused a moment ago. A re-install may have replaced the grant since.
        const record = await store.get(userId);
        if (!record) throw new GrantEndedError(userId);
        if (!needsRefresh(record)) return record;
        throw coolingError(attempt.reason, attempt.remainingMs);
      }
      if (this.now() > giveUpAt) throw new StorageUnavailableError('lock');
      await lock.waitForRelease(lockKey, Math.max(0, giveUpAt - this.now()));
      const record = await store.get(userId);
      if (!record) throw new GrantEndedError(userId);
      if (!needsRefresh(record)) return record;
    }
  }

  /** A refusal that leaves the grant alive keeps the user's refresh closed for a while. */
  private coolDownAfter(err: unknown): { ms: number; reason: string } | undefined {
    if (!(err instanceof OAuthError)) return undefined;
    const max = this.options.refusalCoolDownMs;
    if (err.kind === 'refused' || err.kind === 'invalid_client')
      return { ms: max, reason: err.kind };
    if (err.status === 429) {
      return { ms: Math.min(max, (err.retryAfterSeconds ?? 1) * 1000), reason: 'rate_limited' };
    }
    return undefined;
  }

  private async refreshHoldingLock(
    userId: string,
    needsRefresh: NeedsRefresh,
    refresh: RefreshOptions,
  ): Promise<TokenRecord> {
    const current = await this.options.store.get(userId);
    if (!current) throw new GrantEndedError(userId);
    if (!needsRefresh(current)) return current; // another process refreshed while we queued
    return this.refreshGrant(userId, current, true, refresh);
  }

  private async refreshGrant(
    userId: string,
    current: TokenRecord,
    mayRetryWithNewer: boolean,
    refresh: RefreshOptions,
  ): Promise<TokenRecord> {
    const { logger } = this.options;
    let tokens: TokenSet;
    try {
      this.options.onRefreshGrant?.(userId);
      tokens = await this.options.refresher.refresh(current.refreshToken);
    } catch (err) {
      if (err instanceof OAuthError && err.kind === 'grant_dead') {
        return this.onDeadGrant(userId, current, mayRetryWithNewer, refresh);
      }
      if (err instanceof OAuthError && err.kind === 'invalid_client') {
        // Every user is affected until the operator mends the credentials.
        logger.error({ userId, err: err.message }, 'Zoom refused the app’s client credentials');
      } else {
        // 5xx, timeout, network, another 4xx: nothing is known to have changed; nothing deleted.
        logger.warn({ userId, err: loggableError(err) }, 'token refresh failed');
      }
      throw err;
    }
    const next = this.toRecord(tokens, current);
    const stored = await this.persist(userId, current, next, refresh);
    logger.info({ userId }, 'token refreshed');
    return stored;
  }

  /**
   * Zoom says the grant is dead. If the stored refresh token changed meanwhile (a re-install,
   * or a refresh by a holder whose lock had expired), the grant is alive: use the newer record.
   * Otherwise erase everything kept for the user — only if the record is still the refused
   * one — and ask for a reconnect.
   */
  private async onDeadGrant(
    userId: string,
    refused: TokenRecord,
    mayRetryWithNewer: boolean,
    refresh: RefreshOptions,
  ): Promise<TokenRecord> {
    const { store, logger } = this.options;
    for (let attempt = 1; attempt <= END_ATTEMPTS; attempt++) {
      const again = await store.get(userId);
      if (!again) break;
      if (again.refreshToken !== refused.refreshToken) {
        if (this.fresh(again) || !mayRetryWithNewer) return again;
        return this.refreshGrant(userId, again, false, refresh);
      }
      const erased = await store.erase(userId, again);
      if (erased) {
        logger.warn({ userId, ...erased }, 'grant refused by Zoom; the user’s data is erased');
        break;
      }
    }
    throw new ReconnectRequiredError(userId);
  }

  /**
   * Stores the refreshed record in place of the one it was refreshed from. The old refresh
   * token is already dead at Zoom, so a failed write is retried for a while; but the write
   * never lands on top of something newer:
   *  - the record was deleted meanwhile (deauthorization, disconnect): it stays deleted;
   *  - a new grant replaced it (a re-install): the new grant wins;
   *  - only re-sealed (key rotation), same tokens: compare again against the new value.
   */
  private async persist(
    userId: string,
    from: TokenRecord,
    next: TokenRecord,
    refresh: RefreshOptions,
  ): Promise<TokenRecord> {
    const { store, logger } = this.options;
    let seen = from;
    for (let attempt = 1; ; attempt++) {
      try {
        const write = { ...refresh, awaitReplica: true };
        if (await store.compareAndSet(userId, seen, next, write)) return next;
        const now = await store.get(userId);
        if (!now) {
          logger.info({ userId }, 'record deleted during refresh; not written back');
          throw new GrantEndedError(userId);
        }
        if (now.refreshToken !== from.refreshToken) return now;
        seen = now;
      } catch (err) {
        if (err instanceof GrantEndedError) throw err;
        if (attempt >= PERSIST_ATTEMPTS) {
          logger.error({ userId, err: loggableError(err) }, 'refreshed tokens could not be stored');
          throw new StorageUnavailableError('write');
        }
        await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 1_000)));
      }
    }
  }

  private toRecord(
    tokens: TokenSet,
    grant: Pick<TokenRecord, 'grantId' | 'grantedAt' | 'profile'> & { apiUrl: string | null },
  ): TokenRecord {
    return {
      grantId: grant.grantId,
      grantedAt: grant.grantedAt,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: tokens.accessExpiresAt,
      scopes: tokens.scopes,
      apiUrl: tokens.apiUrl ?? grant.apiUrl ?? this.options.defaultApiUrl,
      updatedAt: this.now(),
      ...(grant.profile ? { profile: grant.profile } : {}),
    };
  }
}

function sameGrant(record: TokenRecord, ref: GrantRef): boolean {
  return record.grantId !== '' && record.grantId === ref.grantId;
}

/** What a request meets while a refused refresh cools down. */
function coolingError(reason: string, remainingMs: number): OAuthError {
  const wait = Math.max(1, Math.ceil(remainingMs / 1000));
  if (reason === 'invalid_client') return new OAuthError('invalid_client', null, null);
  if (reason === 'rate_limited') return new OAuthError('unavailable', 429, null, null, wait);
  return new OAuthError('refused', null, null, null, wait);
}

/** Only an error's name (or our own message) goes to a log: others may carry request data. */
export function loggableError(err: unknown): string {
  if (err instanceof OAuthError) return err.message;
  if (err instanceof Error) return err.name;
  return typeof err;
}
