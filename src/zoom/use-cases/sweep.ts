import type { Logger } from '../../log';
import { UnreadableTokenRecordError, type TokenStore } from '../grant';
import { OAuthError } from '../oauth-errors';
import type { TokenManager, ZoomVerdict } from '../token-manager';

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
  /** Grants checked at once. */
  readonly concurrency?: number;
  /** Zoom's rate limit: waits longer than this end the run (the next run resumes). */
  readonly maxWaitMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SweepDeps {
  /** Pages of user ids that have a token record (SCAN: never all of them at once). */
  readonly userIds: () => AsyncIterable<readonly string[]>;
  readonly store: Pick<TokenStore, 'get'>;
  readonly tokenManager: Pick<TokenManager, 'verifyWithZoom'>;
  readonly logger: Logger;
}

const ATTEMPTS_PER_GRANT = 5;

class StopSweep extends Error {}

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

  /** One grant's verdict, waiting out Zoom's rate limit as Zoom asks. */
  const verify = async (userId: string): Promise<ZoomVerdict | 'unchecked'> => {
    for (let attempt = 1; attempt <= ATTEMPTS_PER_GRANT; attempt++) {
      try {
        return await deps.tokenManager.verifyWithZoom(userId);
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
        await sleep(waitMs);
      }
    }
    return 'unchecked';
  };

  const checkOne = async (userId: string): Promise<void> => {
    let record;
    try {
      record = await deps.store.get(userId);
    } catch (err) {
      if (!(err instanceof UnreadableTokenRecordError)) throw err;
      report.unreadable++;
      return;
    }
    if (!record) {
      report.gone++;
      return;
    }
    // 0 checks every grant, even one another process's clock stamped a moment ahead.
    if (opts.idleMs > 0 && now() - Math.max(record.updatedAt, record.grantedAt) < opts.idleMs) {
      report.recent++;
      return;
    }
    const verdict = await verify(userId);
    if (verdict === 'alive') report.kept++;
    else if (verdict === 'dead') report.deleted++;
    else if (verdict === 'gone') report.gone++;
    else if (verdict === 'unreadable') report.unreadable++;
    else report.unchecked++;
  };

  const concurrency = Math.max(1, opts.concurrency ?? 4);
  try {
    for await (const page of deps.userIds()) {
      report.scanned += page.length;
      for (let i = 0; i < page.length; i += concurrency) {
        await Promise.all(page.slice(i, i + concurrency).map(checkOne));
      }
    }
  } catch (err) {
    if (!(err instanceof StopSweep)) throw err;
    report.stoppedEarly = err.message;
  }
  return report;
}

/** Whether the run did its job: every idle grant got Zoom's answer. */
export function sweepCompleted(report: SweepReport): boolean {
  return report.stoppedEarly === null && report.unchecked === 0;
}
