import type Redis from 'ioredis';
import { RecordCipher } from './crypto';
import type { RedisKeys } from './keys';

/** One user's OAuth grant, as the app keeps it. Times are epoch milliseconds. */
export interface TokenRecord {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessExpiresAt: number;
  readonly scopes: readonly string[];
  readonly apiUrl: string;
  readonly updatedAt: number;
}

/** What the token manager depends on; Redis is one implementation. */
export interface TokenStore {
  get(userId: string): Promise<TokenRecord | null>;
  put(userId: string, record: TokenRecord): Promise<void>;
  /**
   * Writes `next` only if the stored record is still exactly the one `seen` was read from
   * (compare-and-set on the sealed value): false if it was deleted or rewritten meanwhile.
   */
  compareAndSet(userId: string, seen: TokenRecord, next: TokenRecord): Promise<boolean>;
  delete(userId: string): Promise<boolean>;
  /** Deletes the record only if it is still the one `seen` was read from (no lost writes). */
  deleteIfUnchanged(userId: string, seen: TokenRecord): Promise<boolean>;
}

const SET_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;

const DELETE_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

interface SealedShape {
  at: string;
  rt: string;
  exp: number;
  sc: string[];
  api: string;
  upd: number;
}

function isSealedShape(v: unknown): v is SealedShape {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.at === 'string' &&
    typeof o.rt === 'string' &&
    typeof o.exp === 'number' &&
    Array.isArray(o.sc) &&
    o.sc.every((s) => typeof s === 'string') &&
    typeof o.api === 'string' &&
    typeof o.upd === 'number'
  );
}

/** The associated data that binds a sealed token record to its user. */
export function tokenRecordAssociatedData(userId: string): string {
  return `token-record:${userId}`;
}

export class UnreadableTokenRecordError extends Error {
  constructor(
    readonly userId: string,
    reason: string,
  ) {
    super(`token record for a user could not be read: ${reason}`);
    this.name = 'UnreadableTokenRecordError';
  }
}

/**
 * Encrypted per-user records. The user id is the associated data, so a record cannot be moved
 * to another user's key. Every write renews the key's TTL: an idle grant is forgotten after it.
 */
export class RedisTokenStore implements TokenStore {
  /** The sealed value each record was read from, for compare-and-delete. */
  private readonly sealedOf = new WeakMap<TokenRecord, string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly cipher: RecordCipher,
    private readonly ttlSeconds: number,
  ) {}

  async get(userId: string): Promise<TokenRecord | null> {
    const sealed = await this.redis.get(this.keys.tokens(userId));
    if (sealed === null) return null;
    const record = this.unseal(userId, sealed);
    this.sealedOf.set(record, sealed);
    return record;
  }

  async put(userId: string, record: TokenRecord): Promise<void> {
    await this.redis.set(
      this.keys.tokens(userId),
      this.seal(userId, record),
      'EX',
      this.ttlSeconds,
    );
  }

  async compareAndSet(userId: string, seen: TokenRecord, next: TokenRecord): Promise<boolean> {
    const expected = this.sealedOf.get(seen);
    if (expected === undefined) return false;
    const sealed = this.seal(userId, next);
    const n = await this.redis.eval(
      SET_IF_EQUAL,
      1,
      this.keys.tokens(userId),
      expected,
      sealed,
      this.ttlSeconds,
    );
    if (n !== 1) return false;
    this.sealedOf.set(next, sealed);
    return true;
  }

  private seal(userId: string, record: TokenRecord): string {
    const body: SealedShape = {
      at: record.accessToken,
      rt: record.refreshToken,
      exp: record.accessExpiresAt,
      sc: [...record.scopes],
      api: record.apiUrl,
      upd: record.updatedAt,
    };
    return this.cipher.seal(JSON.stringify(body), this.aad(userId));
  }

  async delete(userId: string): Promise<boolean> {
    return (await this.redis.del(this.keys.tokens(userId))) > 0;
  }

  async deleteIfUnchanged(userId: string, seen: TokenRecord): Promise<boolean> {
    const sealed = this.sealedOf.get(seen);
    if (sealed === undefined) return false;
    const n = await this.redis.eval(DELETE_IF_EQUAL, 1, this.keys.tokens(userId), sealed);
    return n === 1;
  }

  private unseal(userId: string, sealed: string): TokenRecord {
    let text: string;
    try {
      text = this.cipher.open(sealed, this.aad(userId));
    } catch (err) {
      throw new UnreadableTokenRecordError(userId, err instanceof Error ? err.message : 'unknown');
    }
    const body: unknown = JSON.parse(text);
    if (!isSealedShape(body)) throw new UnreadableTokenRecordError(userId, 'unexpected shape');
    return {
      accessToken: body.at,
      refreshToken: body.rt,
      accessExpiresAt: body.exp,
      scopes: body.sc,
      apiUrl: body.api,
      updatedAt: body.upd,
    };
  }

  private aad(userId: string): string {
    return tokenRecordAssociatedData(userId);
  }
}
