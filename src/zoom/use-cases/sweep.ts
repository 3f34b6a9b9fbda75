import { steadyPool } from './steady-pool';
import type { Logger } from '../../log';
import { isRateLimited } from '../errors';
import type { CoolDown, TokenRecord } from '../grant';
import type { GrantChecks, HeldGrant, Kept, Peek } from '../grant-check';
import type { TokenRefresher } from '../oauth';
import { OAuthError } from '../oauth-errors';
import type { ZoomPace } from '../pace';
import type { TokenManager, ZoomVerdict } from '../token-manager';
import type { TokenSet } from '../token-response';

/**
 * The daily backstop of the deletion duty: Zoom's `app_deauthorized` can be lost (refused,
 * never sent, or signed in a way that does not verify), so every grant not used for a while
 * is checked with Zoom, and everything of a grant Zoom no longer honours is erased.
 *
 * "Not used" is read from the record's last write: a grant in use is refreshed at least once
 * an hour (tokens live one hour), so a record not written for a day has not been used for
 * about that long. The check is a refresh through the token manager's single flight (it can
 * never race a request), written back without renewing the record's time to live: an idle
 * grant still expires by TTL after its last real use.
 */

export interface SweepReport {
  /** Token records seen. */
  scanned: number;
  /** Used recently: not checked. */
  recent: number;
  /** Idle and checked with Zoom, who still honours them. */
  kept: number;
  /** Idle, refused by Zoom: everything of the user erased. */
  deleted: number;
  /** Deleted by someone else between the scan and the check. */
  gone: number;
  /** Cannot be opened (a lost key): left to their TTL, as the app leaves them. */
  unreadable: number;
  /** Zoom did not answer (or refused for another reason): kept, checked on the next run. */
  unchecked: number;
  /** Why the sweep stopped before the end, if it did. */
  stoppedEarly: string | null;
}

export interface SweepOptions {
  readonly idleMs: number;
  /** Grants checked at once: a steady pool, each worker taking the next grant when done. */
  readonly concurrency?: number;
  /** Zoom's rate limit: waits longer than this end the run (the next run resumes). */
  readonly maxWaitMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SweepDeps {
  /** Pages of user ids that have a token record (SCAN: never all of them at once). */
  readonly userIds: () => AsyncIterable<readonly string[]>;
  /** The check in few Redis commands; what it cannot take on goes to the token manager. */
  readonly checks: GrantChecks;
  readonly refresher: TokenRefresher;
  readonly tokenManager: Pick<TokenManager, 'verifyWithZoom'>;
  /** Every call to Zoom waits its turn here (`PacedZoom`); told of each 429. */
  readonly pace: ZoomPace;
  /** How long a refusal that leaves the grant alive closes the user's refresh (as a request's). */
  readonly refusalCoolDownMs: number;
  readonly logger: Logger;
}

const ATTEMPTS_PER_GRANT = 5;
/** Grants in flight at once, by default: enough to keep 10 calls a second going at 400 ms each. */
export const DEFAULT_SWEEP_CONCURRENCY = 4;

class StopSweep extends Error {}

type Verdict = ZoomVerdict | 'recent';

export async function sweepIdleGrants(deps: SweepDeps, opts: SweepOptions): Promise<SweepReport> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxWaitMs = opts.maxWaitMs ?? 5 * 60_000;
  const report: SweepReport = {
    scanned: 0,
    recent: 0,
    kept: 0,
    deleted: 0,
    gone: 0,
    unreadable: 0,
    unchecked: 0,
    stoppedEarly: null,
  };
  const isIdle = (record: TokenRecord): boolean =>
    // 0 checks every grant, even one another process's clock stamped a moment ahead.
    opts.idleMs === 0 || now() - Math.max(record.updatedAt, record.grantedAt) >= opts.idleMs;

  /** Held the lock: one refresh, its answer written (or the grant erased) in one script. */
  const checkHeld = async (grant: HeldGrant): Promise<Verdict> => {
    if (!isIdle(grant.record)) {
      await deps.checks.release(grant);
      return 'recent'; // used since the page was read
    }
    const heartbeat = setInterval(() => {
      deps.checks.extend(grant).catch(() => undefined);
    }, deps.checks.lockLifeMs / 3);
    let tokens: TokenSet;
    try {
      tokens = await deps.refresher.refresh(grant.record.refreshToken);
    } catch (err) {
      clearInterval(heartbeat);
      if (err instanceof OAuthError && err.kind === 'grant_dead') {
        const erased = await deps.checks.erase(grant);
        if (!erased) return 'recent'; // a new grant (a re-install) was stored meanwhile
        deps.logger.warn(
          { userId: grant.userId, ...erased },
          'grant refused by Zoom; the user’s data is erased',
        );
        return 'dead';
      }
      await deps.checks.release(grant, coolDownAfter(err, deps.refusalCoolDownMs));
      throw err;
    }
    clearInterval(heartbeat);
    const next: TokenRecord = {
      ...grant.record,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: tokens.accessExpiresAt,
      scopes: tokens.scopes,
      updatedAt: now(),
    };
    const kept = await keepWithRetries(grant, next);
    return kept.kind === 'gone' ? 'gone' : 'alive';
  };

  /** Zoom has rotated the tokens: the old refresh token is dead, so the write is retried. */
  const keepWithRetries = async (grant: HeldGrant, next: TokenRecord): Promise<Kept> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await deps.checks.keep(grant, next);
      } catch (err) {
        if (attempt >= PERSIST_ATTEMPTS) {
          deps.logger.error({ userId: grant.userId }, 'refreshed tokens could not be stored');
          throw err;
        }
        await sleep(Math.min(250 * attempt, 1_000));
      }
    }
  };

  /** One attempt: the short path when the lock is free, else the token manager's. */
  const checkOnce = async (userId: string): Promise<Verdict> => {
    // The turn is taken before the lock: a run held by Zoom's rate limit holds no user's lock
    // (a request that needs that user's refresh meanwhile would wait for it).
    await deps.pace.acquire('token');
    const begun = await deps.checks.begin(userId);
    if (begun.kind === 'held') return checkHeld(begun.grant);
    if (begun.kind !== 'busy') return begun.kind;
    // Someone refreshes it now (or it cools down): wait as a request would.
    return deps.tokenManager.verifyWithZoom(userId);
  };

  /** One grant's verdict, waiting out Zoom's rate limit as Zoom asks. */
  const verify = async (userId: string): Promise<Verdict | 'unchecked'> => {
    for (let attempt = 1; attempt <= ATTEMPTS_PER_GRANT; attempt++) {
      try {
        return await checkOnce(userId);
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err; // storage: the run cannot go on
        if (err.kind === 'invalid_client')
          throw new StopSweep('Zoom refused the app’s credentials');
        if (err.status !== 429) {
          deps.logger.warn({ userId, err: err.message }, 'sweep: grant not checked');
          return 'unchecked';
        }
        const waitMs = (err.retryAfterSeconds ?? 1) * 1000;
        if (waitMs > maxWaitMs) {
          throw new StopSweep(`Zoom's rate limit asks to wait ${Math.ceil(waitMs / 1000)} s`);
        }
        // The token endpoint's limit is the app's: the whole run waits, not just this grant.
        deps.pace.rateLimited('token', { retryAfterSeconds: waitMs / 1000 });
        await sleep(waitMs);
      }
    }
    return 'unchecked';
  };

  const checkOne = async (userId: string, peek: Peek): Promise<void> => {
    if (peek.kind !== 'record') {
      report[peek.kind]++;
      return;
    }
    if (!isIdle(peek.record)) {
      report.recent++;
      return;
    }
    const verdict = await verify(userId);
    if (verdict === 'alive') report.kept++;
    else if (verdict === 'dead') report.deleted++;
    else report[verdict]++;
  };

  // Each page is peeked at (one round trip) as the pool reaches it.
  async function* peeked(): AsyncIterable<{ userId: string; peek: Peek }[]> {
    for await (const page of deps.userIds()) {
      report.scanned += page.length;
      if (page.length === 0) continue;
      const peeks = await deps.checks.peek(page);
      yield page.map((userId, i) => ({ userId, peek: peeks[i]! }));
    }
  }
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_SWEEP_CONCURRENCY);
  try {
    await steadyPool(peeked(), concurrency, (g) => checkOne(g.userId, g.peek));
  } catch (err) {
    if (!(err instanceof StopSweep)) throw err;
    report.stoppedEarly = err.message;
  }
  return report;
}

/** As the token manager's: a refusal that leaves the grant alive closes its refresh a while. */
function coolDownAfter(err: unknown, maxMs: number): CoolDown | undefined {
  if (isRateLimited(err)) {
    return { ms: Math.min(maxMs, err.retryAfterSeconds * 1000), reason: 'rate_limited' };
  }
  if (err instanceof OAuthError && (err.kind === 'refused' || err.kind === 'invalid_client')) {
    return { ms: maxMs, reason: err.kind };
  }
  return undefined;
}

/** With the back-off, about 8 s of Redis trouble after Zoom has rotated the tokens. */
const PERSIST_ATTEMPTS = 10;

/** Whether the run did its job: every idle grant got Zoom's answer. */
export function sweepCompleted(report: SweepReport): boolean {
  return report.stoppedEarly === null && report.unchecked === 0;
}
