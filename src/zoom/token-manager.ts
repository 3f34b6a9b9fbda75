import type { Logger } from '../log';
import type { RedisKeys } from '../store/keys';
import type { DistributedLock } from '../store/lock';
import {
  UnreadableTokenRecordError,
  type TokenRecord,
  type TokenStore,
} from '../store/token-store';
import { isZoomApiError } from './errors';
import { isFresh } from './expiry';
import { OAuthError, type TokenRefresher } from './oauth';
import type { TokenSet } from './token-response';

/**
 * Hands out access tokens for a user and keeps the grant alive.
 *
 * Zoom rotates the refresh token on every use and the old one dies at once, so a refresh must
 * happen exactly once however many requests on however many processes find the token stale
 * together. Two layers make it so:
 *  - in this process, callers for the same user share one refresh (no thundering herd on Redis);
 *  - across processes, a Redis lock: take it, re-read the record, refresh only if it is still
 *    needed, write the new record, release. Waiters wake on the release and re-read.
 */

export type ReconnectReason = 'not_connected' | 'grant_revoked';

/** The user must go through the install again: there is no usable grant. */
export class ReconnectRequiredError extends Error {
  constructor(readonly reason: ReconnectReason) {
    super(`reconnect to Zoom required: ${reason}`);
    this.name = 'ReconnectRequiredError';
  }
}

export interface TokenManagerOptions {
  readonly store: TokenStore;
  readonly lock: DistributedLock;
  readonly keys: RedisKeys;
  readonly refresher: TokenRefresher;
  readonly logger: Logger;
  readonly refreshMarginMs: number;
  /** The lock's life; a live holder extends it every third of that. */
  readonly lockTtlMs: number;
  /** How long past a lock's life a waiter waits before answering "try again". */
  readonly refreshWaitMarginMs: number;
  readonly defaultApiUrl: string;
  readonly now?: () => number;
  /** Called once per refresh grant actually sent to Zoom (metrics, tests). */
  readonly onRefreshGrant?: (userId: string) => void;
}

type NeedsRefresh = (record: TokenRecord) => boolean;

/** With the back-off, about 8 s of Redis trouble after Zoom has rotated the tokens. */
const PERSIST_ATTEMPTS = 10;

export class TokenManager {
  private readonly inflight = new Map<string, Promise<TokenRecord>>();
  private readonly now: () => number;

  constructor(private readonly o: TokenManagerOptions) {
    this.now = o.now ?? Date.now;
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

  /** Stores the tokens of a new grant (install or re-install). */
  async storeGrant(userId: string, tokens: TokenSet): Promise<void> {
    await this.o.store.put(userId, this.toRecord(tokens, null));
  }

  /** Forgets a user's grant locally (sign-out does not: only disconnect and deauthorization). */
  async forget(userId: string): Promise<boolean> {
    return this.o.store.delete(userId);
  }

  /** The stored record, if any (for revoke). */
  async currentRecord(userId: string): Promise<TokenRecord | null> {
    return this.o.store.get(userId);
  }

  /** A token good for at least the refresh margin; refreshes (once, everywhere) when stale. */
  async accessTokenFor(userId: string): Promise<string> {
    const record = await this.readRecord(userId);
    if (!record) throw new ReconnectRequiredError('not_connected');
    if (this.fresh(record)) return record.accessToken;
    const renewed = await this.refreshOnce(userId, (r) => !this.fresh(r));
    return renewed.accessToken;
  }

  /**
   * Runs `call` with the user's access token. If Zoom refuses the token (401), refreshes through
   * the same single flight and retries once: if another request already replaced the refused
   * token, its replacement is used and no grant is spent.
   */
  async withAccessToken<T>(userId: string, call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.accessTokenFor(userId);
    try {
      return await call(token);
    } catch (err) {
      if (!isZoomApiError(err, 'unauthorized')) throw err;
      const renewed = await this.refreshOnce(userId, (r) => r.accessToken === token);
      return call(renewed.accessToken);
    }
  }

  /**
   * A record that cannot be opened (a key no longer configured, or tampering) is kept for the
   * operator to investigate, never silently dropped; the user is asked to connect again, which
   * overwrites it with a readable one.
   */
  private async readRecord(userId: string): Promise<TokenRecord | null> {
    try {
      return await this.o.store.get(userId);
    } catch (err) {
      if (!(err instanceof UnreadableTokenRecordError)) throw err;
      this.o.logger.error({ userId, err: err.message }, 'token record unreadable');
      return null;
    }
  }

  private fresh(record: TokenRecord): boolean {
    return isFresh(record.accessExpiresAt, this.now(), this.o.refreshMarginMs);
  }

  /** In-process single flight in front of the cross-process one. Failures are shared too. */
  private async refreshOnce(userId: string, needsRefresh: NeedsRefresh): Promise<TokenRecord> {
    for (;;) {
      const pending = this.inflight.get(userId);
      if (!pending) break;
      const record = await pending;
      if (!needsRefresh(record)) return record;
    }
    const run = this.refreshAcrossProcesses(userId, needsRefresh);
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
  ): Promise<TokenRecord> {
    const lockKey = this.o.keys.refreshLock(userId);
    // A holder that dies frees the lock after its TTL; a live one answers within Zoom's
    // timeout. Past this, the user is better served by "try again" than by waiting.
    const giveUpAt = this.now() + this.o.lockTtlMs + this.o.refreshWaitMarginMs;
    for (;;) {
      const handle = await this.o.lock.tryAcquire(lockKey, this.o.lockTtlMs);
      if (handle) {
        // Kept alive while Zoom answers: a slow refresh must not let a second one start with
        // the refresh token that the first is already spending.
        const heartbeat = setInterval(() => {
          this.o.lock.extend(handle, this.o.lockTtlMs).catch(() => undefined);
        }, this.o.lockTtlMs / 3);
        try {
          return await this.refreshHoldingLock(userId, needsRefresh);
        } finally {
          clearInterval(heartbeat);
          await this.o.lock.release(handle).catch((err: unknown) => {
            // It expires by itself; waiters then wake on their timeout.
            this.o.logger.warn({ userId, err: errorName(err) }, 'refresh lock release failed');
          });
        }
      }
      if (this.now() > giveUpAt) throw new OAuthError('unavailable', null, null);
      await this.o.lock.waitForRelease(lockKey, Math.max(0, giveUpAt - this.now()));
      const record = await this.o.store.get(userId);
      if (!record) throw new ReconnectRequiredError('grant_revoked');
      if (!needsRefresh(record)) return record;
    }
  }

  private async refreshHoldingLock(
    userId: string,
    needsRefresh: NeedsRefresh,
  ): Promise<TokenRecord> {
    const current = await this.o.store.get(userId);
    if (!current) throw new ReconnectRequiredError('not_connected');
    if (!needsRefresh(current)) return current; // another process refreshed while we queued
    return this.refreshGrant(userId, current, true);
  }

  private async refreshGrant(
    userId: string,
    current: TokenRecord,
    mayRetryWithNewer: boolean,
  ): Promise<TokenRecord> {
    let tokens: TokenSet;
    try {
      this.o.onRefreshGrant?.(userId);
      tokens = await this.o.refresher.refresh(current.refreshToken);
    } catch (err) {
      if (!(err instanceof OAuthError) || err.kind !== 'invalid_grant') {
        // 5xx, timeout, network: nothing is known to have changed, so nothing is deleted.
        this.o.logger.warn({ userId, err: errorName(err) }, 'token refresh failed');
        throw err;
      }
      return this.onInvalidGrant(userId, current, mayRetryWithNewer);
    }
    const record = this.toRecord(tokens, current.apiUrl);
    const stored = await this.persist(userId, current, record);
    this.o.logger.info({ userId }, 'token refreshed');
    return stored;
  }

  /**
   * The refresh token was refused. If the stored one changed meanwhile (a new install, or a
   * refresh by a holder whose lock had expired), the grant is alive: use the newer record.
   * Otherwise the grant is dead: delete it (only if still unchanged) and ask for a reconnect.
   */
  private async onInvalidGrant(
    userId: string,
    refused: TokenRecord,
    mayRetryWithNewer: boolean,
  ): Promise<TokenRecord> {
    const again = await this.o.store.get(userId);
    if (again && again.refreshToken !== refused.refreshToken) {
      if (this.fresh(again) || !mayRetryWithNewer) return again;
      return this.refreshGrant(userId, again, false);
    }
    if (again) await this.o.store.deleteIfUnchanged(userId, again);
    this.o.logger.warn({ userId }, 'grant refused by Zoom (invalid_grant); record deleted');
    throw new ReconnectRequiredError('grant_revoked');
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
  ): Promise<TokenRecord> {
    let seen = from;
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.o.store.compareAndSet(userId, seen, next)) return next;
        const now = await this.o.store.get(userId);
        if (!now) {
          this.o.logger.info({ userId }, 'record deleted during refresh; not written back');
          throw new ReconnectRequiredError('grant_revoked');
        }
        if (now.refreshToken !== from.refreshToken) return now;
        seen = now;
      } catch (err) {
        if (err instanceof ReconnectRequiredError) throw err;
        if (attempt >= PERSIST_ATTEMPTS) {
          this.o.logger.error(
            { userId, err: errorName(err) },
            'refreshed tokens could not be stored',
          );
          throw new OAuthError('unavailable', null, null);
        }
        await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 1_000)));
      }
    }
  }

  private toRecord(tokens: TokenSet, previousApiUrl: string | null): TokenRecord {
    return {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: tokens.accessExpiresAt,
      scopes: tokens.scopes,
      apiUrl: tokens.apiUrl ?? previousApiUrl ?? this.o.defaultApiUrl,
      updatedAt: this.now(),
    };
  }
}

/** Only an error's name goes to a log: messages of third-party errors may carry request data. */
export function errorName(err: unknown): string {
  if (err instanceof OAuthError) return err.message;
  if (err instanceof Error) return err.name;
  return typeof err;
}
