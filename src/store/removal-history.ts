import type { RedisClient } from './redis';
import { z } from 'zod';
import {
  HISTORY_MS,
  claimable,
  type Claim,
  type Removal,
  type RemovalHistory,
  type UndoState,
} from '../zoom/removals';
import type { RecordCipher } from './crypto';
import type { RedisKeys } from './keys';

/**
 * The removal history in Redis: one hash per user, a field per removal, each value sealed
 * (AES-256-GCM, like the tokens) with the user and the removal's id as associated data, so an
 * entry cannot be moved to another user or slot. The key lives 30 days past its last write;
 * older entries are left out of every list and pruned on the next write.
 */

// Compare-and-set on one field: only if it still holds what the caller read.
const SET_FIELD_IF_EQUAL = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0`;

// Only while the user has a grant: a removal that finishes after the grant ended (a
// deauthorization while Zoom was answering) must not leave an entry naming the user.
// ARGV: field, sealed value, TTL ms, then the fields to prune (expired or unreadable).
const ADD_WHILE_GRANTED = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 4, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

const SET_FIELD_IF_PRESENT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`;

const AssistantShape = z.object({
  id: z.string(),
  email: z.string(),
  canManagePrivateEvents: z.boolean(),
});
const OutcomeShape = z.union([
  z.object({ email: z.string(), result: z.enum(['back', 'already', 'not_back']) }),
  z.object({
    email: z.string(),
    result: z.literal('refused'),
    reason: z.enum(['not_in_account', 'no_licence', 'is_you', 'other']),
  }),
]);
const UndoShape = z.union([
  z.object({ state: z.literal('available') }),
  z.object({ state: z.literal('running'), since: z.number() }),
  z.object({ state: z.literal('done'), at: z.number(), outcomes: z.array(OutcomeShape) }),
]);
const RemovalShape = z.object({
  id: z.string(),
  at: z.number(),
  assistants: z.array(AssistantShape),
  undo: UndoShape,
  pending: z.boolean().optional(),
  cause: z.literal('end').optional(),
});

export function removalAssociatedData(userId: string, removalId: string): string {
  return `removal:${userId}:${removalId}`;
}

export class RedisRemovalHistory implements RemovalHistory {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly cipher: RecordCipher,
  ) {}

  async list(userId: string, now: number): Promise<Removal[]> {
    const fields = await this.redis.hgetall(this.keys.history(userId));
    const out: Removal[] = [];
    for (const [id, sealed] of Object.entries(fields)) {
      const removal = this.open(userId, id, sealed);
      if (removal && now - removal.at < HISTORY_MS) out.push(removal);
    }
    return out.sort((a, b) => b.at - a.at);
  }

  async add(userId: string, removal: Removal): Promise<boolean> {
    const key = this.keys.history(userId);
    // Pruned: only entries this one read saw expired or unreadable. (Reading the fields again
    // apart from the entries pruned an entry another request added in between.)
    const prune = Object.entries(await this.redis.hgetall(key))
      .filter(([id, sealed]) => {
        const entry = this.open(userId, id, sealed);
        return !entry || removal.at - entry.at >= HISTORY_MS;
      })
      .map(([id]) => id);
    const n = await this.redis.eval(
      ADD_WHILE_GRANTED,
      2,
      key,
      this.keys.grantRecord(userId),
      removal.id,
      this.seal(userId, removal),
      HISTORY_MS,
      ...prune,
    );
    return n === 1;
  }

  async claim(userId: string, removalId: string, now: number): Promise<Claim> {
    const key = this.keys.history(userId);
    const sealed = await this.redis.hget(key, removalId);
    const removal = sealed === null ? null : this.open(userId, removalId, sealed);
    if (!sealed || !removal || now - removal.at >= HISTORY_MS) return { kind: 'missing' };
    if (removal.undo.state === 'done') return { kind: 'done', removal };
    if (!claimable(removal.undo, now)) return { kind: 'running' };
    const claimed: Removal = { ...removal, undo: { state: 'running', since: now } };
    const n = await this.redis.eval(
      SET_FIELD_IF_EQUAL,
      1,
      key,
      removalId,
      sealed,
      this.seal(userId, claimed),
    );
    // Another request claimed (or settled) it between our read and write.
    return n === 1 ? { kind: 'claimed', removal: claimed } : { kind: 'running' };
  }

  async settle(userId: string, removal: Removal, undo: UndoState): Promise<void> {
    // Written only if the entry still exists: a grant erased meanwhile stays erased.
    await this.update(userId, { ...removal, undo });
  }

  async update(userId: string, removal: Removal): Promise<void> {
    await this.redis.eval(
      SET_FIELD_IF_PRESENT,
      1,
      this.keys.history(userId),
      removal.id,
      this.seal(userId, removal),
    );
  }

  async drop(userId: string, removalId: string): Promise<void> {
    await this.redis.hdel(this.keys.history(userId), removalId);
  }

  private seal(userId: string, removal: Removal): string {
    return this.cipher.seal(JSON.stringify(removal), removalAssociatedData(userId, removal.id));
  }

  /** An entry that cannot be opened (a lost key, tampering) is left out, not fatal. */
  private open(userId: string, removalId: string, sealed: string): Removal | null {
    try {
      const text = this.cipher.open(sealed, removalAssociatedData(userId, removalId));
      const parsed = RemovalShape.safeParse(JSON.parse(text));
      return parsed.success && parsed.data.id === removalId ? parsed.data : null;
    } catch {
      return null;
    }
  }
}
