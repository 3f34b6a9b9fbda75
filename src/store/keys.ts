/**
 * Every Redis key and channel the app uses, in one place, so that "what do we keep for a user"
 * has one answer (README "Data we keep").
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  tokens(userId: string): string {
    return `${this.prefix}tokens:${userId}`;
  }

  /** What every token record key starts with (for SCAN). */
  get tokensPrefix(): string {
    return `${this.prefix}tokens:`;
  }

  refreshLock(userId: string): string {
    return `${this.prefix}lock:refresh:${userId}`;
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
    return `${this.rateLimitPrefix}actions:user:${userId}`;
  }

  get sessionPrefix(): string {
    return `${this.prefix}sess:`;
  }

  userSessions(userId: string): string {
    return `${this.prefix}user-sessions:${userId}`;
  }

  /** The user's removal history (a hash of sealed entries). */
  history(userId: string): string {
    return `${this.historyPrefix}${userId}`;
  }

  get historyPrefix(): string {
    return `${this.prefix}history:`;
  }

  /**
   * Every key kept for one user besides the token record and the session index (which the
   * erase step treats first): deleting a user deletes these.
   */
  otherUserKeys(userId: string): string[] {
    return [this.refreshLock(userId), this.actionRateLimit(userId), this.history(userId)];
  }
}
