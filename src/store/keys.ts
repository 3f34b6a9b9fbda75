/**
 * Every Redis key and channel the app uses, in one place, so that "what do we keep for a user"
 * has one answer (README "Data we keep").
 *
 * Every key of one user carries the user id as a hash tag (`{id}`), so on a Redis Cluster they
 * all live in one hash slot: the scripts that read or change several of them at once (the
 * erase step, the session index, the history) stay single-slot. Session keys are per session
 * and live wherever their id hashes to.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** The user's sealed grant (the key keeps its first name, `tokens:`). */
  grantRecord(userId: string): string {
    return `${this.grantRecordPrefix}${userTag(userId)}`;
  }

  /** What every token record key starts with (for SCAN). */
  get grantRecordPrefix(): string {
    return `${this.prefix}tokens:`;
  }

  refreshLock(userId: string): string {
    return `${this.refreshLockPrefix}${userTag(userId)}`;
  }

  get refreshLockPrefix(): string {
    return `${this.prefix}lock:refresh:`;
  }

  /** Pub/sub channel on which lock releases are announced (payload: the lock key). */
  get lockReleasedChannel(): string {
    return `${this.prefix}lock-released`;
  }

  get rateLimitPrefix(): string {
    return `${this.prefix}rl:`;
  }

  /** The per-user counter of the assistant-actions rate limit (see http/rate-limits.ts). */
  actionRateLimit(userId: string): string {
    return `${this.rateLimitPrefix}actions:${actionLimitName(userId)}`;
  }

  /** What the per-user action counters start with, before the (tagged) user id. */
  get actionRateLimitPrefix(): string {
    return `${this.rateLimitPrefix}actions:user:`;
  }

  get sessionPrefix(): string {
    return `${this.prefix}sess:`;
  }

  userSessions(userId: string): string {
    return `${this.userSessionsPrefix}${userTag(userId)}`;
  }

  get userSessionsPrefix(): string {
    return `${this.prefix}user-sessions:`;
  }

  /** The user's removal history (a hash of sealed entries). */
  history(userId: string): string {
    return `${this.historyPrefix}${userTag(userId)}`;
  }

  get historyPrefix(): string {
    return `${this.prefix}history:`;
  }

  /** The outcomes of the user's recent form submits (a hash of sealed entries, minutes long). */
  replays(userId: string): string {
    return `${this.prefix}replays:${userTag(userId)}`;
  }

  /** The user's assistants' ends (a hash of sealed entries, one per assistant). */
  ends(userId: string): string {
    return `${this.endsPrefix}${userTag(userId)}`;
  }

  /** What every ends key starts with: the sweep finds the users with ends by SCAN. */
  get endsPrefix(): string {
    return `${this.prefix}ends:`;
  }

  /**
   * Every key kept for one user besides the token record and the session index (which the
   * erase step treats first): deleting a user deletes these.
   */
  otherUserKeys(userId: string): string[] {
    return [
      this.refreshLock(userId),
      this.actionRateLimit(userId),
      this.history(userId),
      this.replays(userId),
      this.ends(userId),
    ];
  }

  /** The user id in a key made by `grantRecord` or `history` (given that prefix), else null. */
  userIdIn(key: string, kindPrefix: string): string | null {
    if (!key.startsWith(kindPrefix)) return null;
    const tagged = key.slice(kindPrefix.length);
    return tagged.startsWith('{') && tagged.endsWith('}') ? tagged.slice(1, -1) : null;
  }
}

/** `{id}`: Redis Cluster hashes only what is inside the first braces of a key. */
function userTag(userId: string): string {
  return `{${userId}}`;
}

/** The name under which the actions rate limit counts one user (after `rl:actions:`). */
export function actionLimitName(userId: string): string {
  return `user:${userTag(userId)}`;
}
