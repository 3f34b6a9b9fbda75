import { z } from 'zod';
import {
  END_CLAIM_MS,
  type AssistantEnd,
  type AssistantEnds,
  type ClaimedEnd,
  type EndFailure,
} from '../zoom/ends';
import type { RecordCipher } from './crypto';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis';
import { escapeGlob, scanKeys } from './scan';

/**
 * Assistants' ends in Redis: one hash per user (`ends:{id}`, in the user's slot, so the grant's
 * erase deletes it in the same step), a field per assistant id, each value sealed with the user
 * and the assistant as associated data. The sweep finds the users with ends by SCAN over every
 * primary: no cross-slot index to keep in step with the erase, and no hot key on a cluster.
 * The key lives until 30 days after its latest end.
 */

const KEEP_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

// Only while the user has a grant: an end set as the grant ends must not outlive it.
// ARGV: field, sealed value, expire-at ms.
const SET_WHILE_GRANTED = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

// Compare-and-set (ARGV[3] set) or compare-and-delete (ARGV[3] empty) on one field.
const IF_EQUAL = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1`;

const StoredShape = z.object({
  assistantId: z.string(),
  email: z.string(),
  at: z.number(),
  failed: z
    .object({
      reason: z.enum([
        'zoom_refused',
        'zoom_unavailable',
        'rate_limited',
        'needs_permission',
        'access_refused',
        'grant_gone',
      ]),
      at: z.number(),
    })
    .optional(),
  /** A sweep's claim lapses then. */
  claimedUntil: z.number().optional(),
});
type Stored = z.output<typeof StoredShape>;

export function endAssociatedData(userId: string, assistantId: string): string {
  return `end:${userId}:${assistantId}`;
}

export class RedisAssistantEnds implements AssistantEnds {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly cipher: RecordCipher,
    private readonly wallClock: () => number = Date.now,
  ) {}

  async list(userId: string): Promise<AssistantEnd[]> {
    const fields = await this.redis.hgetall(this.keys.ends(userId));
    const out: AssistantEnd[] = [];
    for (const [id, sealed] of Object.entries(fields)) {
      const stored = this.open(userId, id, sealed);
      if (stored) out.push(endOf(stored));
    }
    return out.sort((a, b) => a.at - b.at);
  }

  async set(userId: string, end: AssistantEnd): Promise<boolean> {
    const keepMs = Math.max(end.at - this.wallClock(), 0) + KEEP_AFTER_MS;
    const n = await this.redis.eval(
      SET_WHILE_GRANTED,
      2,
      this.keys.ends(userId),
      this.keys.grantRecord(userId),
      end.assistantId,
      this.seal(userId, endOf(end)),
      keepMs,
    );
    return n === 1;
  }

  async drop(userId: string, assistantIds: readonly string[]): Promise<void> {
    if (assistantIds.length === 0) return;
    await this.redis.hdel(this.keys.ends(userId), ...assistantIds);
  }

  async claim(userId: string, assistantId: string, now: number): Promise<ClaimedEnd | null> {
    const key = this.keys.ends(userId);
    const sealed = await this.redis.hget(key, assistantId);
    const stored = sealed === null ? null : this.open(userId, assistantId, sealed);
    if (!sealed || !stored || stored.at > now) return null;
    if (stored.claimedUntil !== undefined && stored.claimedUntil > now) return null;
    const token = this.seal(userId, { ...endOf(stored), claimedUntil: now + END_CLAIM_MS });
    const n = await this.redis.eval(IF_EQUAL, 1, key, assistantId, sealed, token);
    // Another sweep claimed (or the user changed) it between our read and write.
    return n === 1 ? { userId, end: endOf(stored), token } : null;
  }

  async finish(claimed: ClaimedEnd): Promise<void> {
    const { userId, end, token } = claimed;
    await this.redis.eval(IF_EQUAL, 1, this.keys.ends(userId), end.assistantId, token, '');
  }

  async fail(claimed: ClaimedEnd, reason: EndFailure, now: number): Promise<void> {
    const { userId, end, token } = claimed;
    const next = this.seal(userId, { ...endOf(end), failed: { reason, at: now } });
    await this.redis.eval(IF_EQUAL, 1, this.keys.ends(userId), end.assistantId, token, next);
  }

  async *userIdPages(): AsyncGenerator<string[]> {
    const base = this.keys.endsPrefix;
    for await (const page of scanKeys(this.redis, `${escapeGlob(base)}*`)) {
      yield page.flatMap((key) => this.keys.userIdIn(key, base) ?? []);
    }
  }

  private seal(userId: string, stored: Stored): string {
    return this.cipher.seal(JSON.stringify(stored), endAssociatedData(userId, stored.assistantId));
  }

  /** An entry that cannot be opened (a lost key, tampering) is left out, not fatal. */
  private open(userId: string, assistantId: string, sealed: string): Stored | null {
    try {
      const text = this.cipher.open(sealed, endAssociatedData(userId, assistantId));
      const parsed = StoredShape.safeParse(JSON.parse(text));
      return parsed.success && parsed.data.assistantId === assistantId ? parsed.data : null;
    } catch {
      return null;
    }
  }
}

/** The end alone, without a claim. */
function endOf(s: Stored | AssistantEnd): AssistantEnd {
  return {
    assistantId: s.assistantId,
    email: s.email,
    at: s.at,
    ...(s.failed && { failed: s.failed }),
  };
}
