import { randomBytes } from 'node:crypto';
import type { Logger } from '../log';
import { isRateLimited, isZoomApiError } from './errors';
import { isFresh } from './expiry';
import {
  UnreadableTokenRecordError,
  StorageUnavailableError,
  type CoolDown,
  type ErasedGrant,
  type FlightPlan,
  type GrantRef,
  type SingleFlight,
  type Profile,
  type TokenRecord,
  type TokenStore,
} from './grant';
import type { TokenRefresher } from './oauth';
import { OAuthError } from './oauth-errors';
import type { TokenSet } from './token-response';

export { StorageUnavailableError } from './grant';

/**
 * Hands out access tokens for a grant and keeps it alive, from its code exchange to its end.
 * Zoom kills a refresh token at its first use, so each expiry is refreshed once: callers in this
 * process share one refresh, and processes share one through the single flight.
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

export interface TokenManagerOptions {
  readonly store: TokenStore;
  /** One refresh of a user at a time across processes; the others re-read. */
  readonly flight: SingleFlight;
  /** The key of a user's refresh in the single flight. */
  readonly lockKeyFor: (userId: string) => string;
  readonly refresher: TokenRefresher;
  readonly logger: Logger;
  readonly refreshMarginMs: number;
  /** How long a refusal that leaves the grant alive keeps the user's refresh closed. */
  readonly refusalCoolDownMs: number;
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

/** Why a refresh is asked for, which says whether a record read later still needs it. */
type RefreshReason =
  /** The access token is inside the refresh margin. */
  | { readonly kind: 'stale' }
  /** Zoom refused this access token (401). */
  | { readonly kind: 'refused'; readonly accessToken: string }
  /** The sweep asks Zoom whether the grant lives: a check, not use, so the TTL is kept. */
  | { readonly kind: 'check'; readonly refreshToken: string };

/** A dead-grant answer may be met once more with a newer stored record, never twice. */
type Attempt = 'first' | 'with_newer_record';

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

  /** No refresh of this process in flight (shutdown: an answered refresh must reach Redis). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) {
      await Promise.allSettled([...this.inflight.values()]);
    }
  }

  /** Stores a new grant (an install or a re-install): a new id, granted now. */
  async beginGrant(userId: string, tokens: TokenSet, profile?: Profile): Promise<GrantRef> {
    const grantId = randomBytes(16).toString('base64url');
    const record = this.toRecord(tokens, { grantId, grantedAt: this.now(), profile });
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

  /** Calls with the access token; a 401 gets one refresh (shared) and one retry. */
  async withAccessToken<T>(
    ref: GrantRef,
    call: (accessToken: string, grant: GrantScopes) => Promise<T>,
  ): Promise<T> {
    const { accessToken, scopes, profile } = await this.liveRecord(ref);
    try {
      return await call(accessToken, { scopes, profile: profile ?? null });
    } catch (err) {
      if (!isZoomApiError(err, 'unauthorized')) throw err;
      const renewed = await this.refreshOnce(ref.userId, { kind: 'refused', accessToken });
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

  /** Asks Zoom whether the grant is still honoured, by a refresh in the same single flight. */
  async verifyWithZoom(userId: string): Promise<ZoomVerdict> {
    let record: TokenRecord | null;
    try {
      record = await this.options.store.get(userId);
    } catch (err) {
      if (err instanceof UnreadableTokenRecordError) return 'unreadable';
      throw err;
    }
    if (!record) return 'gone';
    try {
      await this.refreshOnce(userId, { kind: 'check', refreshToken: record.refreshToken });
      return 'alive';
    } catch (err) {
      if (err instanceof ReconnectRequiredError) return 'dead';
      if (err instanceof GrantEndedError) return 'gone';
      throw err;
    }
  }

  /**
   * Ends the user's grant and erases everything kept for them; a grant made at or after
   * `grantedBefore` (a re-install a late deauthorization must not undo) is left alone.
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
    const renewed = await this.refreshOnce(ref.userId, { kind: 'stale' });
    if (!sameGrant(renewed, ref)) throw new GrantEndedError(ref.userId);
    return renewed;
  }

  /** An unreadable record is kept for the operator; its user is signed out and may reconnect. */
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

  private stillNeeded(reason: RefreshReason, record: TokenRecord): boolean {
    switch (reason.kind) {
      case 'stale':
        return !this.fresh(record);
      case 'refused':
        return record.accessToken === reason.accessToken;
      case 'check':
        return record.refreshToken === reason.refreshToken;
    }
  }

  /** In-process single flight in front of the cross-process one. Failures are shared too. */
  private async refreshOnce(userId: string, reason: RefreshReason): Promise<TokenRecord> {
    for (;;) {
      const pending = this.inflight.get(userId);
      if (!pending) break;
      const record = await pending;
      if (!this.stillNeeded(reason, record)) return record;
    }
    const key = this.options.lockKeyFor(userId);
    const run = this.options.flight.run(key, this.refreshPlan(userId, reason));
    this.inflight.set(userId, run);
    try {
      return await run;
    } finally {
      if (this.inflight.get(userId) === run) this.inflight.delete(userId);
    }
  }

  private refreshPlan(userId: string, reason: RefreshReason): FlightPlan<TokenRecord> {
    return {
      read: async () => {
        const record = await this.options.store.get(userId);
        if (!record) throw new GrantEndedError(userId);
        return record;
      },
      stillNeeded: (record) => this.stillNeeded(reason, record),
      run: (record) => this.refreshGrant(userId, record, reason, 'first'),
      coolDownAfter: (err) => this.coolDownAfter(err),
      whileCooling: coolingError,
      logFields: { userId },
    };
  }

  /** A refusal that leaves the grant alive keeps the user's refresh closed for a while. */
  private coolDownAfter(err: unknown): CoolDown | undefined {
    const max = this.options.refusalCoolDownMs;
    if (isRateLimited(err)) {
      return { ms: Math.min(max, err.retryAfterSeconds * 1000), reason: 'rate_limited' };
    }
    if (err instanceof OAuthError && (err.kind === 'refused' || err.kind === 'invalid_client')) {
      return { ms: max, reason: err.kind };
    }
    return undefined;
  }

  private async refreshGrant(
    userId: string,
    current: TokenRecord,
    reason: RefreshReason,
    attempt: Attempt,
  ): Promise<TokenRecord> {
    const { logger } = this.options;
    let tokens: TokenSet;
    try {
      this.options.onRefreshGrant?.(userId);
      tokens = await this.options.refresher.refresh(current.refreshToken);
    } catch (err) {
      if (err instanceof OAuthError && err.kind === 'grant_dead') {
        return this.onDeadGrant(userId, current, reason, attempt);
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
    const stored = await this.persist(userId, current, next, { keepTtl: reason.kind === 'check' });
    logger.info({ userId }, 'token refreshed');
    return stored;
  }

  /**
   * Zoom says the grant is dead: a newer stored refresh token (a re-install, an expired
   * holder's refresh) is used instead; else the refused record is erased.
   */
  private async onDeadGrant(
    userId: string,
    refused: TokenRecord,
    reason: RefreshReason,
    attempt: Attempt,
  ): Promise<TokenRecord> {
    const { store, logger } = this.options;
    for (let tries = 1; tries <= END_ATTEMPTS; tries++) {
      const again = await store.get(userId);
      if (!again) break;
      if (again.refreshToken !== refused.refreshToken) {
        if (this.fresh(again) || attempt === 'with_newer_record') return again;
        return this.refreshGrant(userId, again, reason, 'with_newer_record');
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
   * Stores the refreshed record over the one it came from, retrying failures (the old refresh
   * token is already dead), never over something newer: a deleted record stays deleted, a new
   * grant wins, and a record rewritten with the same refresh token is compared again.
   */
  private async persist(
    userId: string,
    from: TokenRecord,
    next: TokenRecord,
    ttl: { readonly keepTtl: boolean },
  ): Promise<TokenRecord> {
    const { store, logger } = this.options;
    let seen = from;
    for (let attempt = 1; ; attempt++) {
      try {
        const write = { ...ttl, awaitReplica: true };
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
    grant: Pick<TokenRecord, 'grantId' | 'grantedAt' | 'profile'>,
  ): TokenRecord {
    return {
      grantId: grant.grantId,
      grantedAt: grant.grantedAt,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: tokens.accessExpiresAt,
      scopes: tokens.scopes,
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
  const retryAfterSeconds = Math.max(1, Math.ceil(remainingMs / 1000));
  if (reason === 'invalid_client') return new OAuthError({ kind: 'invalid_client' });
  if (reason === 'rate_limited') {
    return new OAuthError({ kind: 'rate_limited', status: 429, retryAfterSeconds });
  }
  return new OAuthError({ kind: 'refused', retryAfterSeconds });
}

/** Only an error's name (or our own message) goes to a log: others may carry request data. */
export function loggableError(err: unknown): string {
  if (err instanceof OAuthError) return err.message;
  if (err instanceof Error) return err.name;
  return typeof err;
}
