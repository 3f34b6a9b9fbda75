import { randomBytes } from 'node:crypto';
import { deriveEncryptionKey } from '../../src/config';
import { createLogger } from '../../src/log';
import { RecordCipher } from '../../src/store/crypto';
import { RedisKeys } from '../../src/store/keys';
import { ReplicaAcks, type ReplicaAck } from '../../src/store/replica-acks';
import { RedisTokenStore, tokenRecordAssociatedData } from '../../src/store/token-store';
import { UnreadableTokenRecordError, type TokenRecord } from '../../src/zoom/grant';
import { testRedisConnections } from './refresh-fakes';
import { expectLifeSetBy, expiryOf } from './expiry';

/**
 * The encrypted token records on a real Redis: what a record reads back as, which sealed bodies
 * are refused, compare-and-set and erase by what the caller saw, the TTL each write leaves, and
 * the SCAN of user ids.
 */

const PREFIX = `ts${randomBytes(4).toString('hex')}:`;
const TTL_SECONDS = 5_000;
const cipher = new RecordCipher([deriveEncryptionKey(randomBytes(32))]);

const { connect, closeAll } = testRedisConnections();
const redis = connect();
afterAll(async () => {
  const found = await redis.keys(`${PREFIX}*`);
  if (found.length > 0) await redis.del(...found);
  await closeAll();
});

let namespaces = 0;
function fixture(replicas?: ReplicaAcks): { keys: RedisKeys; store: RedisTokenStore } {
  namespaces += 1;
  const keys = new RedisKeys(`${PREFIX}${namespaces}:`);
  return { keys, store: new RedisTokenStore(redis, keys, cipher, TTL_SECONDS, replicas) };
}

function record(overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    grantId: 'g-1',
    grantedAt: 1_700_000_000_000,
    accessToken: 'at-1',
    refreshToken: 'rt-1',
    accessExpiresAt: 1_700_000_360_000,
    scopes: ['user:read', 'user:write'],
    updatedAt: 1_700_000_000_500,
    ...overrides,
  };
}

/** Stores `body` (JSON-encoded unless a string) sealed for `userId`, as a record would be. */
async function storeRaw(keys: RedisKeys, userId: string, body: unknown): Promise<void> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  await redis.set(keys.grantRecord(userId), cipher.seal(text, tokenRecordAssociatedData(userId)));
}

/** As stored before the API URL was dropped (`api`): still read, without it. */
const sealedBody = {
  gid: 'g-1',
  gat: 5,
  at: 'at',
  rt: 'rt',
  exp: 10,
  sc: ['a', 'b'],
  api: 'https://api.zoom.us',
  upd: 7,
};

describe('reading and writing a record', () => {
  test('an absent record reads as null', async () => {
    const { store } = fixture();
    await expect(store.get('nobody')).resolves.toBeNull();
  });

  test('a record reads back field for field, sealed (no token in the clear), with the TTL set', async () => {
    const { keys, store } = fixture();
    const written = record();
    await expectLifeSetBy(redis, keys.grantRecord('u1'), TTL_SECONDS * 1000, () =>
      store.put('u1', written),
    );
    await expect(store.get('u1')).resolves.toEqual(written);
    const raw = await redis.get(keys.grantRecord('u1'));
    expect(raw).not.toContain('at-1');
    expect(raw).not.toContain('rt-1');
  });

  test('the scopes are copied at the write: a later change to the array is not stored', async () => {
    const { store } = fixture();
    const scopes = ['a'];
    await store.put('u1', record({ scopes }));
    scopes.push('b');
    expect((await store.get('u1'))?.scopes).toEqual(['a']);
  });

  test('the sealed body is the documented shape (short field names)', async () => {
    const { keys, store } = fixture();
    await store.put('u1', record());
    const raw = await redis.get(keys.grantRecord('u1'));
    const body = JSON.parse(cipher.open(raw ?? '', tokenRecordAssociatedData('u1'))) as unknown;
    expect(body).toEqual({
      gid: 'g-1',
      gat: 1_700_000_000_000,
      at: 'at-1',
      rt: 'rt-1',
      exp: 1_700_000_360_000,
      sc: ['user:read', 'user:write'],
      upd: 1_700_000_000_500,
    });
  });

  test('the profile reads back with its Zoom account; one from before accounts were kept, without', async () => {
    const { keys, store } = fixture();
    const profile = { name: 'Ada', email: 'ada@example.com', timezone: 'Europe/London' };
    const withAccount = record({ profile: { ...profile, accountId: 'acc-1' } });
    await store.put('u1', withAccount);
    await expect(store.get('u1')).resolves.toEqual(withAccount);
    const raw = await redis.get(keys.grantRecord('u1'));
    const body = JSON.parse(cipher.open(raw ?? '', tokenRecordAssociatedData('u1'))) as {
      pf: unknown;
    };
    expect(body.pf).toEqual({ n: 'Ada', e: 'ada@example.com', tz: 'Europe/London', a: 'acc-1' });

    await storeRaw(keys, 'u2', { ...sealedBody, pf: { n: 'Bo', e: 'bo@example.com', tz: null } });
    const older = await store.get('u2');
    expect(older?.profile).toEqual({ name: 'Bo', email: 'bo@example.com', timezone: null });
    expect(older?.profile).not.toHaveProperty('accountId');
  });

  test('a record from before grants had ids reads with grant id "" and granted at 0', async () => {
    const { keys, store } = fixture();
    await storeRaw(keys, 'u1', { ...sealedBody, gid: undefined, gat: undefined });
    await expect(store.get('u1')).resolves.toEqual({
      grantId: '',
      grantedAt: 0,
      accessToken: 'at',
      refreshToken: 'rt',
      accessExpiresAt: 10,
      scopes: ['a', 'b'],
      updatedAt: 7,
    });
  });

  test('a record with an empty scope list reads as such', async () => {
    const { keys, store } = fixture();
    await storeRaw(keys, 'u1', { ...sealedBody, sc: [] });
    expect((await store.get('u1'))?.scopes).toEqual([]);
  });
});

describe('a record that cannot be read is refused, naming the user, never returned half-read', () => {
  async function refusal(body: unknown): Promise<UnreadableTokenRecordError> {
    const { keys, store } = fixture();
    await storeRaw(keys, 'u1', body);
    const err = await store.get('u1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnreadableTokenRecordError);
    return err as UnreadableTokenRecordError;
  }

  test('sealed for another user: the cipher’s reason', async () => {
    const { keys, store } = fixture();
    await redis.set(
      keys.grantRecord('u2'),
      cipher.seal(JSON.stringify(sealedBody), 'token-record:u1'),
    );
    const err = await store.get('u2').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(UnreadableTokenRecordError);
    expect((err as UnreadableTokenRecordError).userId).toBe('u2');
  });

  test('not JSON', async () => {
    const err = await refusal('{not json');
    expect(err.userId).toBe('u1');
  });

  test.each([
    ['null', null],
    ['a number', 5],
    ['a string', 'x'],
    ['an array', []],
    ['a grant id that is not a string', { ...sealedBody, gid: 1 }],
    ['a granted-at that is not a number', { ...sealedBody, gat: '5' }],
    ['no access token', { ...sealedBody, at: undefined }],
    ['an access token that is not a string', { ...sealedBody, at: 1 }],
    ['no refresh token', { ...sealedBody, rt: undefined }],
    ['an expiry that is not a number', { ...sealedBody, exp: '10' }],
    ['scopes that are not an array', { ...sealedBody, sc: 'a b' }],
    ['a scope that is not a string', { ...sealedBody, sc: ['a', 2] }],
    ['no update time', { ...sealedBody, upd: undefined }],
    ['an update time that is not a number', { ...sealedBody, upd: '7' }],
  ])('unexpected shape: %s', async (_name, body) => {
    const err = await refusal(JSON.stringify(body));
    expect(err.userId).toBe('u1');
  });
});

describe('compare-and-set: only over the record the caller saw, compared by content', () => {
  test('over the record read: true, the new record stored, the TTL renewed', async () => {
    const { keys, store } = fixture();
    await store.put('u1', record());
    await redis.expire(keys.grantRecord('u1'), 100);
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    const next = record({ accessToken: 'at-2', refreshToken: 'rt-2' });
    const written = await expectLifeSetBy(redis, keys.grantRecord('u1'), TTL_SECONDS * 1000, () =>
      store.compareAndSet('u1', seen, next),
    );
    expect(written).toBe(true);
    await expect(store.get('u1')).resolves.toEqual(next);
  });

  test('keepTtl: the key keeps the TTL it had', async () => {
    const { keys, store } = fixture();
    await store.put('u1', record());
    await redis.expire(keys.grantRecord('u1'), 100);
    const expiry = await expiryOf(redis, keys.grantRecord('u1'));
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    const next = record({ accessToken: 'at-2' });
    await expect(store.compareAndSet('u1', seen, next, { keepTtl: true })).resolves.toBe(true);
    await expect(store.get('u1')).resolves.toEqual(next);
    expect(await expiryOf(redis, keys.grantRecord('u1'))).toBe(expiry);
  });

  test('over the record this store wrote: true, and the written record can be compared again', async () => {
    const { store } = fixture();
    const first = record();
    await store.put('u1', first);
    const second = record({ accessToken: 'at-2' });
    await expect(store.compareAndSet('u1', first, second)).resolves.toBe(true);
    const third = record({ accessToken: 'at-3' });
    await expect(store.compareAndSet('u1', second, third)).resolves.toBe(true);
    await expect(store.get('u1')).resolves.toEqual(third);
    // `first` is no longer what is stored.
    await expect(store.compareAndSet('u1', first, record({ accessToken: 'x' }))).resolves.toBe(
      false,
    );
    await expect(store.get('u1')).resolves.toEqual(third);
  });

  test('the record changed since it was read: false, nothing written, and the refused record is not comparable', async () => {
    const { keys, store } = fixture();
    await store.put('u1', record());
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    const other = fixture().store; // another process, same key space below
    const elsewhere = new RedisTokenStore(redis, keys, cipher, TTL_SECONDS);
    await elsewhere.put('u1', record({ accessToken: 'at-other' }));
    await redis.expire(keys.grantRecord('u1'), 100);
    const refused = record({ accessToken: 'at-mine' });
    await expect(store.compareAndSet('u1', seen, refused)).resolves.toBe(false);
    expect((await store.get('u1'))?.accessToken).toBe('at-other');
    expect(await redis.ttl(keys.grantRecord('u1'))).toBeLessThanOrEqual(100);
    // The refused record was never stored: a compare-and-set over it is refused too.
    await expect(store.compareAndSet('u1', refused, record({ accessToken: 'z' }))).resolves.toBe(
      false,
    );
    expect((await store.get('u1'))?.accessToken).toBe('at-other');
    await expect(other.get('u1')).resolves.toBeNull();
  });

  test('a copy of the record read is the same record: true', async () => {
    const { store } = fixture();
    await store.put('u1', record());
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    const next = record({ accessToken: 'at-2' });
    await expect(store.compareAndSet('u1', { ...seen }, next)).resolves.toBe(true);
    await expect(store.get('u1')).resolves.toEqual(next);
    // Built field for field by another process, never read here: the same record too.
    const elsewhere = record({ accessToken: 'at-2' });
    await expect(
      store.compareAndSet('u1', elsewhere, record({ accessToken: 'at-3' })),
    ).resolves.toBe(true);
  });

  test('re-sealed meanwhile with the same content (a key rotation): still the record seen', async () => {
    const { keys, store } = fixture();
    await store.put('u1', record());
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    const before = await redis.get(keys.grantRecord('u1'));
    await new RedisTokenStore(redis, keys, cipher, TTL_SECONDS).put('u1', record());
    expect(await redis.get(keys.grantRecord('u1'))).not.toBe(before);
    await expect(store.compareAndSet('u1', seen, record({ accessToken: 'at-2' }))).resolves.toBe(
      true,
    );
  });

  test.each([
    ['grantId', { grantId: 'g-2' }],
    ['grantedAt', { grantedAt: 1 }],
    ['accessToken', { accessToken: 'at-x' }],
    ['refreshToken', { refreshToken: 'rt-x' }],
    ['accessExpiresAt', { accessExpiresAt: 2 }],
    ['scopes', { scopes: ['user:read'] }],
    ['updatedAt', { updatedAt: 3 }],
  ] as const)('a record differing in %s: false, nothing written', async (_field, change) => {
    const { store } = fixture();
    const stored = record();
    await store.put('u1', stored);
    const other = record(change);
    await expect(store.compareAndSet('u1', other, record({ accessToken: 'x' }))).resolves.toBe(
      false,
    );
    await expect(store.get('u1')).resolves.toEqual(stored);
  });

  test('an unreadable stored record is not the record seen: false, left as it is', async () => {
    const { keys, store } = fixture();
    await storeRaw(keys, 'u1', 'not JSON');
    const raw = await redis.get(keys.grantRecord('u1'));
    await expect(store.compareAndSet('u1', record(), record({ accessToken: 'x' }))).resolves.toBe(
      false,
    );
    await expect(store.erase('u1', record())).resolves.toBeNull();
    expect(await redis.get(keys.grantRecord('u1'))).toBe(raw);
  });

  test('the record was deleted since it was read: false, nothing recreated', async () => {
    const { keys, store } = fixture();
    await store.put('u1', record());
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    await redis.del(keys.grantRecord('u1'));
    await expect(store.compareAndSet('u1', seen, record({ accessToken: 'x' }))).resolves.toBe(
      false,
    );
    expect(await redis.exists(keys.grantRecord('u1'))).toBe(0);
  });

  test('awaitReplica: the answer waits for the replica’s acknowledgement of the record key', async () => {
    const confirmed: string[] = [];
    let acknowledge: (ack: ReplicaAck) => void = () => undefined;
    class HeldReplicas extends ReplicaAcks {
      override confirm(key: string): Promise<ReplicaAck> {
        confirmed.push(key);
        return new Promise((resolve) => {
          acknowledge = resolve;
        });
      }
    }
    const { keys, store } = fixture(new HeldReplicas(redis, createLogger('silent')));
    const first = record();
    await store.put('u1', first);
    let answered = false;
    const pending = store
      .compareAndSet('u1', first, record({ accessToken: 'at-2' }), { awaitReplica: true })
      .then((ok) => {
        answered = true;
        return ok;
      });
    while (confirmed.length === 0) await new Promise((r) => setTimeout(r, 10)); // written, asking
    expect(answered).toBe(false);
    expect(confirmed).toEqual([keys.grantRecord('u1')]);
    acknowledge('acknowledged');
    await expect(pending).resolves.toBe(true);

    // Without awaitReplica the answer does not wait.
    const second = await store.get('u1');
    if (!second) throw new Error('no record');
    await expect(store.compareAndSet('u1', second, record({ accessToken: 'at-3' }))).resolves.toBe(
      true,
    );
    expect(confirmed).toHaveLength(1);
    // Nor after a refused write.
    await expect(
      store.compareAndSet('u1', first, record({ accessToken: 'at-4' }), { awaitReplica: true }),
    ).resolves.toBe(false);
    expect(confirmed).toHaveLength(1);
  });
});

/**
 * A store on its own connection whose scripts run only after `meanwhile` (another process
 * writing between this store's read of the stored value and its script).
 */
function racedStore(keys: RedisKeys, meanwhile: () => Promise<void>): RedisTokenStore {
  const raced = connect();
  const evalScript = raced.eval.bind(raced) as (...args: unknown[]) => Promise<unknown>;
  (raced as unknown as { eval: typeof evalScript }).eval = async (...args) => {
    await meanwhile();
    return evalScript(...args);
  };
  return new RedisTokenStore(raced, keys, cipher, TTL_SECONDS);
}

describe('a write between the store’s read and its script (the scripts’ own compare)', () => {
  test('compare-and-set: false, the other write kept', async () => {
    const { keys, store } = fixture();
    await store.put('u1', record());
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    const other = record({ accessToken: 'at-other' });
    const raced = racedStore(keys, () => store.put('u1', other));
    await expect(raced.compareAndSet('u1', seen, record({ accessToken: 'x' }))).resolves.toBe(
      false,
    );
    await expect(store.get('u1')).resolves.toEqual(other);
  });

  test('erase: null, nothing deleted', async () => {
    const { keys, store } = fixture();
    await store.put('u1', record());
    await redis.set(keys.sessionPrefix + 's1', 'session');
    await redis.zadd(keys.userSessions('u1'), 1, 's1');
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    const other = record({ accessToken: 'at-other' });
    const raced = racedStore(keys, () => store.put('u1', other));
    await expect(raced.erase('u1', seen)).resolves.toBeNull();
    await expect(store.get('u1')).resolves.toEqual(other);
    expect(await redis.exists(keys.userSessions('u1'), keys.sessionPrefix + 's1')).toBe(2);
  });
});

describe('erase: the grant and everything kept for the user, only if unchanged', () => {
  async function populate(keys: RedisKeys, store: RedisTokenStore, userId: string) {
    await store.put(userId, record());
    const sids = ['s1', 's2'];
    for (const [i, sid] of sids.entries()) {
      await redis.zadd(keys.userSessions(userId), i, sid);
      await redis.set(keys.sessionPrefix + sid, 'session');
    }
    for (const k of keys.otherUserKeys(userId)) await redis.set(k, 'x');
    return [
      keys.grantRecord(userId),
      keys.userSessions(userId),
      ...keys.otherUserKeys(userId),
      ...sids.map((s) => keys.sessionPrefix + s),
    ];
  }
  const existing = async (names: string[]): Promise<number> =>
    (await Promise.all(names.map((k) => redis.exists(k)))).reduce((a, b) => a + b, 0);

  test('"any": everything deleted; the answer counts the record and the sessions', async () => {
    const { keys, store } = fixture();
    const names = await populate(keys, store, 'u1');
    // Another user's keys stay.
    const others = await populate(keys, store, 'u2');
    await expect(store.erase('u1', 'any')).resolves.toEqual({ tokenRecord: true, sessions: 2 });
    expect(await existing(names)).toBe(0);
    expect(await existing(others)).toBe(others.length - 2); // u2's sessions share the ids
    // Idempotent.
    await expect(store.erase('u1', 'any')).resolves.toEqual({ tokenRecord: false, sessions: 0 });
  });

  test('the record read: deleted; after a rewrite by another process: null and nothing deleted', async () => {
    const { keys, store } = fixture();
    const names = await populate(keys, store, 'u1');
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    const elsewhere = new RedisTokenStore(redis, keys, cipher, TTL_SECONDS);
    await elsewhere.put('u1', record({ accessToken: 'at-other' }));
    await expect(store.erase('u1', seen)).resolves.toBeNull();
    expect(await existing(names)).toBe(names.length);

    const current = await store.get('u1');
    if (!current) throw new Error('no record');
    await expect(store.erase('u1', current)).resolves.toEqual({ tokenRecord: true, sessions: 2 });
    expect(await existing(names)).toBe(0);
  });

  test('a record of other content: null, nothing deleted; a copy of the one stored: deleted', async () => {
    const { keys, store } = fixture();
    const names = await populate(keys, store, 'u1');
    await expect(store.erase('u1', record({ updatedAt: 1 }))).resolves.toBeNull();
    expect(await existing(names)).toBe(names.length);
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    await expect(store.erase('u1', { ...seen })).resolves.toEqual({
      tokenRecord: true,
      sessions: 2,
    });
    expect(await existing(names)).toBe(0);
  });

  test('"absent": null while a record is stored; once it is gone, the rest is deleted', async () => {
    const { keys, store } = fixture();
    const names = await populate(keys, store, 'u1');
    await expect(store.erase('u1', 'absent')).resolves.toBeNull();
    expect(await existing(names)).toBe(names.length);
    await redis.del(keys.grantRecord('u1'));
    await expect(store.erase('u1', 'absent')).resolves.toEqual({
      tokenRecord: false,
      sessions: 2,
    });
    expect(await existing(names)).toBe(0);
  });

  test('the record read, and no sessions: deleted, zero sessions', async () => {
    const { keys, store } = fixture();
    await store.put('u1', record());
    const seen = await store.get('u1');
    if (!seen) throw new Error('no record');
    await expect(store.erase('u1', seen)).resolves.toEqual({ tokenRecord: true, sessions: 0 });
    expect(await redis.exists(keys.grantRecord('u1'))).toBe(0);
  });
});

describe('userIdPages: the ids of the users with a record', () => {
  test('every user once, over several pages; other keys and other key spaces left out', async () => {
    const { keys, store } = fixture();
    const ids = Array.from({ length: 25 }, (_, i) => `user-${i}`);
    for (const id of ids) await store.put(id, record());
    await redis.set(`${keys.grantRecordPrefix}untagged`, 'x'); // not a `{id}` key
    await redis.set(keys.history('user-0'), 'x');
    await fixture().store.put('stranger', record());
    const pages: string[][] = [];
    for await (const page of store.userIdPages(5)) pages.push(page);
    expect(pages.length).toBeGreaterThan(1);
    expect([...new Set(pages.flat())].sort()).toEqual([...ids].sort());
  });

  test('the default page size: every user', async () => {
    const { store } = fixture();
    for (const id of ['a', 'b', 'c']) await store.put(id, record());
    const found: string[] = [];
    for await (const page of store.userIdPages()) found.push(...page);
    expect([...new Set(found)].sort()).toEqual(['a', 'b', 'c']);
  });

  test('a key prefix with glob characters is matched literally', async () => {
    namespaces += 1;
    const plain = new RedisKeys(`${PREFIX}${namespaces}:x:`);
    const globbed = new RedisKeys(`${PREFIX}${namespaces}:?:`);
    await new RedisTokenStore(redis, plain, cipher, TTL_SECONDS).put('plain', record());
    const store = new RedisTokenStore(redis, globbed, cipher, TTL_SECONDS);
    await store.put('globbed', record());
    const found: string[] = [];
    for await (const page of store.userIdPages()) found.push(...page);
    expect(found).toEqual(['globbed']);
  });
});
