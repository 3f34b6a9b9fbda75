import type { RedisClient } from './redis';
import { z } from 'zod';
import {
  DEFAULT_HISTORY_DAYS,
  isRemoval,
  type LedgerEntry,
  type LedgerRead,
  type SeenLists,
} from '../zoom/ledger';
import {
  UNDO_MS,
  claimable,
  type Claim,
  type Removal,
  type RemovalHistory,
  type UndoState,
} from '../zoom/removals';
import type { RecordCipher } from './crypto';
import type { RedisKeys } from './keys';

/**
 * The user's ledger in Redis: one hash per user, a field per entry and one, `seen`, for the
 * lists as last seen; each value sealed (AES-256-GCM, like the tokens) with the user and the
 * field as associated data, so nothing can be moved to another user or field. The key lives
 * `HISTORY_DAYS` past its last write; older entries are left out of every read and pruned on
 * the next write.
 */

const SEEN_FIELD = 'seen';

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

// The lists a view saw, only over those it read (two views record one change once), with what
// it noticed; only while the user has a grant. ARGV: the lists read ('' for none), the new
// lists, TTL ms, the number of entries, the lists' field, then field and value of each entry,
// then the fields to prune.
const NOTICED = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if (redis.call('HGET', KEYS[1], ARGV[5]) or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[5], ARGV[2])
local n = tonumber(ARGV[4])
for i = 0, n - 1 do redis.call('HSET', KEYS[1], ARGV[6 + 2 * i], ARGV[7 + 2 * i]) end
for i = 6 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
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
  from: z.number().optional(),
  cause: z.literal('end').optional(),
});
const PersonShape = z.object({ id: z.string(), email: z.string() });
const ChangeShape = z.object({
  kind: z.literal('change'),
  id: z.string(),
  at: z.number(),
  side: z.enum(['assistant', 'scheduler']),
  change: z.enum(['added', 'removed']),
  people: z.array(PersonShape),
  from: z.number().optional(),
  pending: z.boolean().optional(),
});
const EntryShape = z.union([ChangeShape, RemovalShape]);
const SeenPersonShape = PersonShape.extend({
  since: z.number().nullable(),
  canManagePrivateEvents: z.boolean().optional(),
});
const SeenShape = z.object({
  at: z.number(),
  first: z.number(),
  assistants: z.array(SeenPersonShape),
  schedulers: z.array(SeenPersonShape),
});

/** Binds a sealed value to its user and field (an entry's id, or `seen`). */
export function removalAssociatedData(userId: string, field: string): string {
  return `removal:${userId}:${field}`;
}

export class RedisLedger implements RemovalHistory {
  private readonly keepMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly cipher: RecordCipher,
    historyDays = DEFAULT_HISTORY_DAYS,
  ) {
    this.keepMs = historyDays * 24 * 60 * 60 * 1000;
  }

  async read(userId: string, now: number): Promise<LedgerRead> {
    const fields = await this.redis.hgetall(this.keys.history(userId));
    const entries: LedgerEntry[] = [];
    const expired: string[] = [];
    let seen: SeenLists | null = null;
    let version: string | null = null;
    for (const [id, sealed] of Object.entries(fields)) {
      if (id === SEEN_FIELD) {
        seen = this.openSeen(userId, sealed);
        version = sealed;
        continue;
      }
      const entry = this.open(userId, id, sealed);
      if (entry && now - entry.at < this.keepMs) entries.push(entry);
      else expired.push(id);
    }
    return { entries: entries.sort((a, b) => b.at - a.at), seen, version, expired };
  }

  async list(userId: string, now: number): Promise<Removal[]> {
    return (await this.read(userId, now)).entries.filter(isRemoval);
  }

  async noticed(
    userId: string,
    read: LedgerRead,
    seen: SeenLists,
    entries: readonly LedgerEntry[],
  ): Promise<boolean> {
    const n = await this.redis.eval(
      NOTICED,
      2,
      this.keys.history(userId),
      this.keys.grantRecord(userId),
      read.version ?? '',
      this.cipher.seal(JSON.stringify(seen), removalAssociatedData(userId, SEEN_FIELD)),
      this.keepMs,
      entries.length,
      SEEN_FIELD,
      ...entries.flatMap((e) => [e.id, this.seal(userId, e)]),
      ...read.expired,
    );
    return n === 1;
  }

  async add(userId: string, entry: LedgerEntry): Promise<boolean> {
    const { expired } = await this.read(userId, entry.at);
    const n = await this.redis.eval(
      ADD_WHILE_GRANTED,
      2,
      this.keys.history(userId),
      this.keys.grantRecord(userId),
      entry.id,
      this.seal(userId, entry),
      this.keepMs,
      ...expired,
    );
    return n === 1;
  }

  async claim(userId: string, removalId: string, now: number): Promise<Claim> {
    const key = this.keys.history(userId);
    const sealed = await this.redis.hget(key, removalId);
    const entry = sealed === null ? null : this.open(userId, removalId, sealed);
    const removal = entry && isRemoval(entry) ? entry : null;
    if (!sealed || !removal || now - removal.at >= UNDO_MS) return { kind: 'missing' };
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

  async update(userId: string, entry: LedgerEntry): Promise<void> {
    await this.redis.eval(
      SET_FIELD_IF_PRESENT,
      1,
      this.keys.history(userId),
      entry.id,
      this.seal(userId, entry),
    );
  }

  async drop(userId: string, entryId: string): Promise<void> {
    await this.redis.hdel(this.keys.history(userId), entryId);
  }

  private seal(userId: string, entry: LedgerEntry): string {
    return this.cipher.seal(JSON.stringify(entry), removalAssociatedData(userId, entry.id));
  }

  /** An entry that cannot be opened (a lost key, tampering) is left out, not fatal. */
  private open(userId: string, entryId: string, sealed: string): LedgerEntry | null {
    try {
      const text = this.cipher.open(sealed, removalAssociatedData(userId, entryId));
      const parsed = EntryShape.safeParse(JSON.parse(text));
      return parsed.success && parsed.data.id === entryId ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Lists that cannot be opened are as if never seen: the next view starts them again. */
  private openSeen(userId: string, sealed: string): SeenLists | null {
    try {
      const text = this.cipher.open(sealed, removalAssociatedData(userId, SEEN_FIELD));
      const parsed = SeenShape.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}
