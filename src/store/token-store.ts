import { z } from 'zod';
import {
  UnreadableTokenRecordError,
  type ErasedGrant,
  type Profile,
  type TokenRecord,
  type TokenStore,
  type TokenWriteOptions,
} from '../zoom/grant';
import { RecordCipher } from './crypto';
import type { RedisKeys } from './keys';
import { deleteEach, type RedisClient } from './redis';
import type { ReplicaAcks } from './replica-acks';
import { escapeGlob, scanKeys } from './scan';

// ARGV[3]: the TTL in seconds, or '' to keep the key's TTL.
const SET_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[3] == '' then
    redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  else
    redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  end
  return 1
end
return 0`;

// KEYS[1] the token record, KEYS[2] the session index, KEYS[3..] the user's other keys.
// ARGV[1] what the caller saw: 'value' (then ARGV[2] is the sealed record), 'absent' or 'any'.
// Returns nil when the record is not what was seen, else { records deleted, session ids }.
const ERASE = `
local stored = redis.call('GET', KEYS[1])
if ARGV[1] == 'value' and stored ~= ARGV[2] then return nil end
if ARGV[1] == 'absent' and stored then return nil end
local sids = redis.call('ZRANGE', KEYS[2], 0, -1)
local had = redis.call('DEL', KEYS[1])
redis.call('DEL', unpack(KEYS, 2))
return { had, sids }`;

/** The sealed record's body: short field names, since every request reads one. */
const SealedBody = z.object({
  // Absent in records written before grants had ids.
  gid: z.string().optional(),
  gat: z.number().optional(),
  at: z.string(),
  rt: z.string(),
  exp: z.number(),
  sc: z.array(z.string()),
  upd: z.number(),
  pf: z
    .object({ n: z.string(), e: z.string(), tz: z.string().nullable(), a: z.string().optional() })
    .optional(),
});

/** The associated data that binds a sealed token record to its user. */
export function tokenRecordAssociatedData(userId: string): string {
  return `token-record:${userId}`;
}

/**
 * Encrypted per-user records, sealed to their user id (a record cannot be moved to another
 * user's key). Every write renews the TTL unless told to keep it: an idle grant is forgotten.
 */
export class RedisTokenStore implements TokenStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly cipher: RecordCipher,
    private readonly ttlSeconds: number,
    private readonly replicas?: ReplicaAcks,
  ) {}

  async get(userId: string): Promise<TokenRecord | null> {
    const sealed = await this.redis.get(this.keys.grantRecord(userId));
    if (sealed === null) return null;
    return this.unseal(userId, sealed);
  }

  async put(userId: string, record: TokenRecord): Promise<void> {
    const sealed = this.seal(userId, record);
    await this.redis.set(this.keys.grantRecord(userId), sealed, 'EX', this.ttlSeconds);
  }

  async compareAndSet(
    userId: string,
    seen: TokenRecord,
    next: TokenRecord,
    options: TokenWriteOptions = {},
  ): Promise<boolean> {
    const expected = await this.sealedIfEqual(userId, seen);
    if (expected === null) return false;
    const sealed = this.seal(userId, next);
    const n = await this.redis.eval(
      SET_IF_EQUAL,
      1,
      this.keys.grantRecord(userId),
      expected,
      sealed,
      options.keepTtl ? '' : this.ttlSeconds,
    );
    if (n !== 1) return false;
    if (options.awaitReplica) await this.replicas?.confirm(this.keys.grantRecord(userId));
    return true;
  }

  async erase(userId: string, seen: TokenRecord | 'absent' | 'any'): Promise<ErasedGrant | null> {
    const mode = seen === 'absent' || seen === 'any' ? seen : 'value';
    let expected = '';
    if (typeof seen === 'object') {
      const sealed = await this.sealedIfEqual(userId, seen);
      if (sealed === null) return null;
      expected = sealed;
    }
    const keys = [
      this.keys.grantRecord(userId),
      this.keys.userSessions(userId),
      ...this.keys.otherUserKeys(userId),
    ];
    const reply = (await this.redis.eval(ERASE, keys.length, ...keys, mode, expected)) as
      [number, string[]] | null;
    if (reply === null) return null;
    const [had, sessionIds] = reply;
    // Sessions live under their own ids (and, on a cluster, in other slots): deleted after the
    // grant. One that a request in flight writes back meanwhile is caught by the session
    // store's check, and any other is dead on its next read, since its grant is gone.
    const sessions = await deleteEach(
      this.redis,
      sessionIds.map((sid) => this.keys.sessionPrefix + sid),
    );
    return { tokenRecord: had === 1, sessions };
  }

  /** Pages of the ids of users that have a token record (SCAN). */
  async *userIdPages(count = 200): AsyncGenerator<string[]> {
    const base = this.keys.grantRecordPrefix;
    for await (const page of scanKeys(this.redis, `${escapeGlob(base)}*`, count)) {
      yield page.flatMap((key) => this.keys.userIdIn(key, base) ?? []);
    }
  }

  /**
   * The sealed value stored now, if it opens to a record equal to `seen` (compared by content:
   * a copy of a record is the same record, and a re-seal changes nothing); else null. The
   * scripts then compare against that sealed value, so a write in between still fails them.
   */
  private async sealedIfEqual(userId: string, seen: TokenRecord): Promise<string | null> {
    const sealed = await this.redis.get(this.keys.grantRecord(userId));
    if (sealed === null) return null;
    let stored: TokenRecord;
    try {
      stored = this.unseal(userId, sealed);
    } catch {
      return null; // unreadable: not the record seen
    }
    return JSON.stringify(bodyOf(stored)) === JSON.stringify(bodyOf(seen)) ? sealed : null;
  }

  /** The record as it is stored (the sweep's own check compares and writes it in one script). */
  seal(userId: string, record: TokenRecord): string {
    return this.cipher.seal(JSON.stringify(bodyOf(record)), tokenRecordAssociatedData(userId));
  }

  /** A stored value opened; UnreadableTokenRecordError when it cannot be. */
  unseal(userId: string, sealed: string): TokenRecord {
    let text: string;
    try {
      text = this.cipher.open(sealed, tokenRecordAssociatedData(userId));
    } catch (err) {
      // Stryker disable next-line StringLiteral,ConditionalExpression: words for the log only
      throw new UnreadableTokenRecordError(userId, err instanceof Error ? err.message : 'unknown');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // Stryker disable next-line StringLiteral: words for the log only
      throw new UnreadableTokenRecordError(userId, 'not JSON');
    }
    const parsed = SealedBody.safeParse(body);
    // Stryker disable next-line StringLiteral: words for the log only
    if (!parsed.success) throw new UnreadableTokenRecordError(userId, 'unexpected shape');
    const record = parsed.data;
    return {
      // A record from before grants had ids matches no session and predates any event.
      grantId: record.gid ?? '',
      grantedAt: record.gat ?? 0,
      accessToken: record.at,
      refreshToken: record.rt,
      accessExpiresAt: record.exp,
      scopes: record.sc,
      updatedAt: record.upd,
      ...(record.pf ? { profile: profileOf(record.pf) } : {}),
    };
  }
}

function bodyOf(record: TokenRecord): z.infer<typeof SealedBody> {
  return {
    gid: record.grantId,
    gat: record.grantedAt,
    at: record.accessToken,
    rt: record.refreshToken,
    exp: record.accessExpiresAt,
    sc: [...record.scopes],
    upd: record.updatedAt,
    ...(record.profile && {
      pf: {
        n: record.profile.name,
        e: record.profile.email,
        tz: record.profile.timezone,
        a: record.profile.accountId,
      },
    }),
  };
}

function profileOf(pf: NonNullable<z.infer<typeof SealedBody>['pf']>): Profile {
  return { name: pf.n, email: pf.e, timezone: pf.tz, ...(pf.a && { accountId: pf.a }) };
}
