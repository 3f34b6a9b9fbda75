import { randomBytes } from 'node:crypto';
import { deriveEncryptionKey } from '../../src/config';
import { RecordCipher } from '../../src/store/crypto';
import { RedisKeys } from '../../src/store/keys';
import { RedisLock } from '../../src/store/lock';
import { LockedSingleFlight } from '../../src/store/single-flight';
import type { RedisClient } from '../../src/store/redis';
import { RedisTokenStore } from '../../src/store/token-store';
import { ZoomApiError } from '../../src/zoom/errors';
import type {
  ErasedGrant,
  GrantRef,
  TokenRecord,
  TokenStore,
  TokenWriteOptions,
} from '../../src/zoom/grant';
import type { TokenRefresher } from '../../src/zoom/oauth';
import { OAuthError } from '../../src/zoom/oauth-errors';
import {
  GrantEndedError,
  loggableError,
  ReconnectRequiredError,
  StorageUnavailableError,
  TokenManager,
} from '../../src/zoom/token-manager';
import { HeldZoom, LogLines, ScriptedZoom, testRedisConnections, tokens } from './refresh-fakes';
import { expectLifeSetBy } from './expiry';

/**
 * The token manager's less travelled paths, on a real Redis: its errors and log lines, the
 * sweep's verdicts, a grant that Zoom calls dead while another process holds a newer refresh
 * token, the write of a refreshed record when the stored one changed or storage fails, the
 * cool-down's answers, the API URL a record keeps, and `settled()`.
 */

const keys = new RedisKeys(`tme${randomBytes(3).toString('hex')}:`);
const cipher = new RecordCipher([deriveEncryptionKey(randomBytes(32))]);
const { connect, closeAll } = testRedisConnections();
const admin = connect();
const store = new RedisTokenStore(admin, keys, cipher, 3600);

afterAll(async () => {
  const found = await admin.keys(`${keys.prefix}*`);
  if (found.length) await admin.del(...found);
  await closeAll();
});

/**
 * The real store, with storage trouble on demand: the next `failWrites` compare-and-sets fail
 * as a lost connection would, and `afterRead` runs after each read (another process acting
 * between this one's read and write).
 */
class TroubledStore implements TokenStore {
  failWrites = 0;
  failReads = 0;
  writesTried = 0;
  readonly writeOptions: (TokenWriteOptions | undefined)[] = [];
  afterRead?: () => Promise<void>;
  constructor(private readonly inner: RedisTokenStore) {}
  async get(userId: string): Promise<TokenRecord | null> {
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('Connection is closed.');
    }
    const r = await this.inner.get(userId);
    await this.afterRead?.();
    return r;
  }
  put(userId: string, record: TokenRecord): Promise<void> {
    return this.inner.put(userId, record);
  }
  compareAndSet(
    userId: string,
    seen: TokenRecord,
    next: TokenRecord,
    options?: TokenWriteOptions,
  ): Promise<boolean> {
    this.writesTried++;
    this.writeOptions.push(options);
    if (this.failWrites > 0) {
      this.failWrites--;
      return Promise.reject(new Error('Connection is closed.'));
    }
    return this.inner.compareAndSet(userId, seen, next, options);
  }
  erase(userId: string, seen: TokenRecord | 'absent' | 'any'): Promise<ErasedGrant | null> {
    return this.inner.erase(userId, seen);
  }
}

interface ManagerOptions {
  log?: LogLines;
  store?: TokenStore;
  lockRedis?: RedisClient;
  coolDownMs?: number;
  now?: () => number;
  onRefreshGrant?: (userId: string) => void;
}

function manager(zoom: TokenRefresher, opts: ManagerOptions = {}): TokenManager {
  const redis = connect();
  const { logger } = opts.log ?? new LogLines();
  const lock = new RedisLock(opts.lockRedis ?? redis, connect(), keys.lockReleasedChannel);
  return new TokenManager({
    store: opts.store ?? new RedisTokenStore(redis, keys, cipher, 3600),
    flight: new LockedSingleFlight(lock, { lockTtlMs: 15_000, waitMarginMs: 2_000, logger }),
    lockKeyFor: (userId) => keys.refreshLock(userId),
    refresher: zoom,
    logger,
    refreshMarginMs: 60_000,
    refusalCoolDownMs: opts.coolDownMs ?? 60_000,
    ...(opts.now ? { now: opts.now } : {}),
    onRefreshGrant: opts.onRefreshGrant,
  });
}

let users = 0;
const newUser = (): string => `u${++users}`;
const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function grantFor(m: TokenManager, userId: string, expiresInMs = 1000): Promise<GrantRef> {
  return m.beginGrant(userId, tokens(`${userId}-old`, expiresInMs));
}

describe('errors name themselves', () => {
  test('what a log line says of each: its name, never a message that could carry data', () => {
    const ended = new GrantEndedError('u');
    const reconnect = new ReconnectRequiredError('u');
    const lock = new StorageUnavailableError('lock');
    const write = new StorageUnavailableError('write');
    expect([ended, reconnect, lock, write].map(loggableError)).toEqual([
      'GrantEndedError',
      'ReconnectRequiredError',
      'StorageUnavailableError',
      'StorageUnavailableError',
    ]);
    // What the callers read: whose grant, and which step of storage failed.
    expect([ended.userId, reconnect.userId, lock.step, write.step]).toEqual([
      'u',
      'u',
      'lock',
      'write',
    ]);
  });

  test('loggableError: our OAuth message, another error’s name only, else the type', () => {
    expect(loggableError(new OAuthError({ kind: 'unavailable', status: 503 }))).toBe(
      'Zoom OAuth unavailable [503]',
    );
    const secretful = new TypeError('Bearer at-secret');
    expect(loggableError(secretful)).toBe('TypeError');
    expect(loggableError('at-secret')).toBe('string');
    expect(loggableError(undefined)).toBe('undefined');
  });
});

describe('log lines', () => {
  test('a refresh is logged with the user, without tokens', async () => {
    const log = new LogLines();
    const m = manager(new ScriptedZoom([]), { log });
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await m.accessTokenFor(ref);
    expect(log.find('token refreshed')).toMatchObject({ level: 30, userId });
    expect(JSON.stringify(log.lines)).not.toContain('at-');
  });

  test('a failed refresh: a warning naming the error; invalid_client: an error with its message', async () => {
    const log = new LogLines();
    const zoom = new ScriptedZoom([
      new OAuthError({ kind: 'unavailable', status: 503 }),
      new OAuthError({ kind: 'invalid_client', status: 401, oauthError: 'invalid_client' }),
    ]);
    const m = manager(zoom, { log });
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await expect(m.accessTokenFor(ref)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(log.find('token refresh failed')).toMatchObject({
      level: 40,
      userId,
      err: 'Zoom OAuth unavailable [503]',
    });
    await expect(m.accessTokenFor(ref)).rejects.toMatchObject({ kind: 'invalid_client' });
    expect(log.find('Zoom refused the app’s client credentials')).toMatchObject({
      level: 50,
      userId,
      err: 'Zoom OAuth invalid_client [401] invalid_client',
    });
    expect(log.messages().filter((m) => m === 'token refresh failed')).toHaveLength(1);
  });

  test('a dead grant: a warning with what was erased', async () => {
    const log = new LogLines();
    const m = manager(
      new ScriptedZoom([
        new OAuthError({ kind: 'grant_dead', status: 400, oauthError: 'invalid_grant' }),
      ]),
      {
        log,
      },
    );
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(log.find('grant refused by Zoom; the user’s data is erased')).toMatchObject({
      level: 40,
      userId,
      tokenRecord: true,
      sessions: 0,
    });
  });

  test('an unreadable record: an error logged, the session ended, the record kept', async () => {
    const log = new LogLines();
    const m = manager(new ScriptedZoom([]), { log });
    const userId = newUser();
    const ref = await grantFor(m, userId);
    const other = new RedisTokenStore(
      admin,
      keys,
      new RecordCipher([deriveEncryptionKey(randomBytes(32))]),
      3600,
    );
    await other.put(userId, (await store.get(userId)) as TokenRecord);
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(GrantEndedError);
    expect(await m.isCurrent(ref)).toBe(false);
    expect(log.find('token record unreadable')).toMatchObject({
      level: 50,
      userId,
      err: expect.stringMatching(/^token record for a user could not be read/) as string,
    });
    expect(await admin.exists(keys.grantRecord(userId))).toBe(1);
  });

  test('a lock release that fails is logged; the refreshed token is still handed out', async () => {
    const log = new LogLines();
    const lockRedis = connect();
    const zoom = new HeldZoom();
    const m = manager(zoom, { log, lockRedis });
    const userId = newUser();
    const ref = await grantFor(m, userId);
    const pending = m.accessTokenFor(ref);
    await zoom.held();
    await lockRedis.quit(); // the lock's connection is lost while Zoom answers
    zoom.answerAll();
    await expect(pending).resolves.toBe(`at-from-rt-${userId}-old`);
    expect(log.find('refresh lock release failed')).toMatchObject({
      level: 40,
      userId,
      err: 'Error',
    });
  });
});

describe('settled()', () => {
  test('at once with nothing in flight; otherwise only once the refresh is stored', async () => {
    const zoom = new HeldZoom();
    const m = manager(zoom);
    await m.settled();
    const userId = newUser();
    const ref = await grantFor(m, userId);
    const pending = m.accessTokenFor(ref);
    await zoom.held();
    let settled = false;
    const done = m.settled().then(() => (settled = true));
    await tick(100);
    expect(settled).toBe(false);
    zoom.answerAll();
    await done;
    expect((await store.get(userId))?.accessToken).toBe(`at-from-rt-${userId}-old`);
    await pending;
  });

  test('a failed refresh settles too', async () => {
    const m = manager(new ScriptedZoom([new OAuthError({ kind: 'unavailable', status: 503 })]));
    const ref = await grantFor(m, newUser());
    const pending = m.accessTokenFor(ref).catch((e: unknown) => e);
    await m.settled();
    expect(await pending).toBeInstanceOf(OAuthError);
  });
});

describe('the sweep’s verdicts', () => {
  test('no record: gone, and Zoom is not asked', async () => {
    const zoom = new ScriptedZoom([]);
    expect(await manager(zoom).verifyWithZoom(newUser())).toBe('gone');
    expect(zoom.grants).toBe(0);
  });

  test('a record that cannot be opened: unreadable, kept, Zoom not asked', async () => {
    const zoom = new ScriptedZoom([]);
    const userId = newUser();
    await admin.set(keys.grantRecord(userId), 'v1.nokey.AAAA.AAAA.AAAA');
    expect(await manager(zoom).verifyWithZoom(userId)).toBe('unreadable');
    expect(zoom.grants).toBe(0);
    expect(await admin.exists(keys.grantRecord(userId))).toBe(1);
  });

  test('the record is deleted while Zoom answers: gone', async () => {
    const userId = newUser();
    const zoom = new ScriptedZoom([], async () => {
      await store.erase(userId, 'any');
    });
    const m = manager(zoom);
    await grantFor(m, userId, 3_600_000);
    expect(await m.verifyWithZoom(userId)).toBe('gone');
    expect(await store.get(userId)).toBeNull();
  });

  test('Zoom unavailable: the error, not a verdict; the grant kept', async () => {
    const userId = newUser();
    const m = manager(new ScriptedZoom([new OAuthError({ kind: 'unavailable', status: 503 })]));
    await grantFor(m, userId, 3_600_000);
    await expect(m.verifyWithZoom(userId)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(await store.get(userId)).not.toBeNull();
  });

  test('a check whose refresh token another process already rotated: alive, no grant spent', async () => {
    const userId = newUser();
    const zoom = new ScriptedZoom([]);
    const troubled = new TroubledStore(new RedisTokenStore(connect(), keys, cipher, 3600));
    const m = manager(zoom, { store: troubled });
    await grantFor(m, userId, 3_600_000);
    // Between the sweep's read and its refresh, another process rotates the refresh token.
    let once = true;
    troubled.afterRead = async () => {
      if (!once) return;
      once = false;
      const r = (await store.get(userId)) as TokenRecord;
      await store.put(userId, { ...r, refreshToken: 'rt-rotated-elsewhere' });
    };
    expect(await m.verifyWithZoom(userId)).toBe('alive');
    expect(zoom.grants).toBe(0);
  });
});

describe('endGrant', () => {
  test('an unreadable record is erased with everything else', async () => {
    const userId = newUser();
    await admin.set(keys.grantRecord(userId), 'v1.nokey.AAAA.AAAA.AAAA');
    await admin.set(keys.history(userId), 'x');
    const m = manager(new ScriptedZoom([]));
    expect(await m.endGrant(userId, Date.now())).toEqual({
      kind: 'erased',
      tokenRecord: true,
      sessions: 0,
    });
    expect(await admin.exists(keys.grantRecord(userId), keys.history(userId))).toBe(0);
  });

  test('no record, with a time: erased (nothing newer to protect)', async () => {
    const m = manager(new ScriptedZoom([]));
    expect(await m.endGrant(newUser(), Date.now())).toEqual({
      kind: 'erased',
      tokenRecord: false,
      sessions: 0,
    });
  });

  test('a record rewritten after each read: tried five times, then an error; four times: erased', async () => {
    const userId = newUser();
    const troubled = new TroubledStore(new RedisTokenStore(connect(), keys, cipher, 3600));
    const m = manager(new ScriptedZoom([]), { store: troubled });
    await grantFor(m, userId, 3_600_000);
    let rewrites = 0;
    let limit = 5;
    troubled.afterRead = async () => {
      if (rewrites >= limit) return;
      rewrites++;
      const r = (await store.get(userId)) as TokenRecord;
      await store.put(userId, { ...r, updatedAt: r.updatedAt + 1 });
    };
    await expect(m.endGrant(userId)).rejects.toBeInstanceOf(Error);
    expect(rewrites).toBe(5);
    expect(await store.get(userId)).not.toBeNull();
    rewrites = 0;
    limit = 4;
    expect(await m.endGrant(userId)).toEqual({ kind: 'erased', tokenRecord: true, sessions: 0 });
    expect(await store.get(userId)).toBeNull();
  });
});

describe('a dead grant while another process holds a newer refresh token', () => {
  const dead = (): OAuthError =>
    new OAuthError({ kind: 'grant_dead', status: 400, oauthError: 'invalid_grant' });

  test('the newer record is fresh: used as it is, nothing erased, one grant', async () => {
    const userId = newUser();
    const zoom = new ScriptedZoom([dead()], async () => {
      const r = (await store.get(userId)) as TokenRecord;
      await store.put(userId, {
        ...r,
        accessToken: 'at-elsewhere',
        refreshToken: 'rt-elsewhere',
        accessExpiresAt: Date.now() + 3_600_000,
      });
    });
    const m = manager(zoom);
    const ref = await grantFor(m, userId);
    expect(await m.accessTokenFor(ref)).toBe('at-elsewhere');
    expect(zoom.grants).toBe(1);
  });

  test('the newer record is stale too: refreshed once with its token', async () => {
    const userId = newUser();
    const zoom = new ScriptedZoom([dead(), 'ok'], async (n) => {
      if (n !== 1) return;
      const r = (await store.get(userId)) as TokenRecord;
      await store.put(userId, { ...r, refreshToken: 'rt-elsewhere' });
    });
    const m = manager(zoom);
    const ref = await grantFor(m, userId);
    expect(await m.accessTokenFor(ref)).toBe('at-from-rt-elsewhere');
    expect(zoom.seen).toEqual([`rt-${userId}-old`, 'rt-elsewhere']);
    expect((await store.get(userId))?.refreshToken).toBe('rt-from-rt-elsewhere');
  });

  test('that one is refused too, and yet another is stored: it is handed back, no third grant', async () => {
    const userId = newUser();
    const zoom = new ScriptedZoom([dead(), dead()], async (n) => {
      const r = (await store.get(userId)) as TokenRecord;
      await store.put(userId, { ...r, accessToken: `at-elsewhere-${n}`, refreshToken: `rt-${n}` });
    });
    const m = manager(zoom);
    const ref = await grantFor(m, userId);
    expect(await m.accessTokenFor(ref)).toBe('at-elsewhere-2');
    expect(zoom.grants).toBe(2);
    expect(await store.get(userId)).not.toBeNull();
  });

  test('the record is deleted while Zoom refuses: reconnect, nothing left', async () => {
    const userId = newUser();
    const zoom = new ScriptedZoom([dead()], async () => {
      await store.erase(userId, 'any');
    });
    const m = manager(zoom);
    const ref = await grantFor(m, userId);
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(await store.get(userId)).toBeNull();
  });

  test.each([
    ['only re-sealed (a key rotation): the same record, erased at the first look', 0, 1],
    ['rewritten with the same refresh token: looked at again, then erased', 1, 2],
  ])('the refused record %s', async (_label, later, looks) => {
    const userId = newUser();
    const troubled = new TroubledStore(new RedisTokenStore(connect(), keys, cipher, 3600));
    let reads = 0;
    const zoom = new ScriptedZoom([dead()], () => {
      troubled.afterRead = async () => {
        // The first read under onDeadGrant is rewritten behind its back.
        if (++reads !== 1) return;
        const r = (await store.get(userId)) as TokenRecord;
        await store.put(userId, { ...r, updatedAt: r.updatedAt + later });
      };
      return Promise.resolve();
    });
    const m = manager(zoom, { store: troubled });
    const ref = await grantFor(m, userId);
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(reads).toBe(looks);
    expect(await store.get(userId)).toBeNull();
  });
});

describe('writing the refreshed record', () => {
  test.each([
    ['only re-sealed (a key rotation): written at once', 0, 1],
    ['rewritten with the same refresh token: compared again and written', 1, 2],
  ])('the record %s', async (_label, later, writes) => {
    const userId = newUser();
    const zoom = new ScriptedZoom([], async () => {
      const r = (await store.get(userId)) as TokenRecord;
      await store.put(userId, { ...r, updatedAt: r.updatedAt + later });
    });
    const troubled = new TroubledStore(new RedisTokenStore(connect(), keys, cipher, 3600));
    const m = manager(zoom, { store: troubled });
    const ref = await grantFor(m, userId);
    expect(await m.accessTokenFor(ref)).toBe(`at-from-rt-${userId}-old`);
    expect((await store.get(userId))?.refreshToken).toBe(`rt-from-rt-${userId}-old`);
    expect(troubled.writesTried).toBe(writes);
  });

  test('another holder stored a newer refresh token meanwhile: that record wins', async () => {
    const userId = newUser();
    const zoom = new ScriptedZoom([], async () => {
      const r = (await store.get(userId)) as TokenRecord;
      await store.put(userId, {
        ...r,
        accessToken: 'at-other',
        refreshToken: 'rt-other',
        accessExpiresAt: Date.now() + 3_600_000,
      });
    });
    const m = manager(zoom);
    const ref = await grantFor(m, userId);
    expect(await m.accessTokenFor(ref)).toBe('at-other');
    expect((await store.get(userId))?.refreshToken).toBe('rt-other');
  });

  test('a deleted record stays deleted, and it is logged', async () => {
    const log = new LogLines();
    const userId = newUser();
    const zoom = new ScriptedZoom([], async () => {
      await admin.del(keys.grantRecord(userId));
    });
    const m = manager(zoom, { log });
    const ref = await grantFor(m, userId);
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(GrantEndedError);
    expect(await store.get(userId)).toBeNull();
    expect(log.find('record deleted during refresh; not written back')).toMatchObject({
      level: 30,
      userId,
    });
  });

  test('storage failing a few times: retried with a back-off until written', async () => {
    const userId = newUser();
    const troubled = new TroubledStore(new RedisTokenStore(connect(), keys, cipher, 3600));
    const m = manager(new ScriptedZoom([]), { store: troubled });
    const ref = await grantFor(m, userId);
    troubled.failWrites = 3;
    const started = Date.now();
    expect(await m.accessTokenFor(ref)).toBe(`at-from-rt-${userId}-old`);
    const took = Date.now() - started;
    expect(troubled.writesTried).toBe(4);
    expect(took).toBeGreaterThanOrEqual(250 + 500 + 750 - 50);
    expect(took).toBeLessThan(10_000); // a back-off, not a hang
    expect((await store.get(userId))?.refreshToken).toBe(`rt-from-rt-${userId}-old`);
  });

  test('storage failing ten times: a storage error, logged; the stored record untouched', async () => {
    const log = new LogLines();
    const userId = newUser();
    const troubled = new TroubledStore(new RedisTokenStore(connect(), keys, cipher, 3600));
    const m = manager(new ScriptedZoom([]), { store: troubled, log });
    const ref = await grantFor(m, userId);
    troubled.failWrites = 10;
    const err = await m.accessTokenFor(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect((err as StorageUnavailableError).step).toBe('write');
    expect(troubled.writesTried).toBe(10);
    expect(log.find('refreshed tokens could not be stored')).toMatchObject({
      level: 50,
      userId,
      err: 'Error',
    });
    expect((await store.get(userId))?.refreshToken).toBe(`rt-${userId}-old`);
  }, 20_000);
});

describe('the cool-down’s answers', () => {
  test('refused: the time left, in whole seconds, at least 1', async () => {
    const m = manager(
      new ScriptedZoom([
        new OAuthError({ kind: 'refused', status: 400, oauthError: 'invalid_request' }),
      ]),
      {
        coolDownMs: 60_000,
      },
    );
    const ref = await grantFor(m, newUser());
    const first = (await m.accessTokenFor(ref).catch((e: unknown) => e)) as OAuthError;
    expect(first.retryAfterSeconds).toBeNull(); // Zoom's own answer
    const again = (await m.accessTokenFor(ref).catch((e: unknown) => e)) as OAuthError;
    expect(again).toBeInstanceOf(OAuthError);
    expect(again.kind).toBe('refused');
    expect(again.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(again.retryAfterSeconds).toBeLessThanOrEqual(60);

    const short = manager(
      new ScriptedZoom([
        new OAuthError({ kind: 'refused', status: 400, oauthError: 'invalid_request' }),
      ]),
      {
        coolDownMs: 300,
      },
    );
    const ref2 = await grantFor(short, newUser());
    await short.accessTokenFor(ref2).catch(() => undefined);
    const soon = (await short.accessTokenFor(ref2).catch((e: unknown) => e)) as OAuthError;
    expect(soon.retryAfterSeconds).toBe(1);
  });

  test('invalid_client while cooling: invalid_client again, without a wait', async () => {
    const m = manager(
      new ScriptedZoom([
        new OAuthError({ kind: 'invalid_client', status: 401, oauthError: 'invalid_client' }),
      ]),
    );
    const ref = await grantFor(m, newUser());
    await m.accessTokenFor(ref).catch(() => undefined);
    const again = (await m.accessTokenFor(ref).catch((e: unknown) => e)) as OAuthError;
    expect(again).toMatchObject({ kind: 'invalid_client', status: null, retryAfterSeconds: null });
  });

  test('429 while cooling: a 429 with the seconds left', async () => {
    const m = manager(
      new ScriptedZoom([
        new OAuthError({ kind: 'rate_limited', status: 429, retryAfterSeconds: 3 }),
      ]),
    );
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await expectLifeSetBy(admin, keys.refreshLock(userId), 3_000, () =>
      m.accessTokenFor(ref).catch(() => undefined),
    );
    const again = (await m.accessTokenFor(ref).catch((e: unknown) => e)) as OAuthError;
    expect(again).toMatchObject({ kind: 'rate_limited', status: 429 });
    expect(again.retryAfterSeconds).toBeGreaterThanOrEqual(1); // what is left of the 3 s
    expect(again.retryAfterSeconds).toBeLessThanOrEqual(3);
  });

  test('429 without Retry-After: closed for one second', async () => {
    const m = manager(new ScriptedZoom([new OAuthError({ kind: 'rate_limited', status: 429 })]));
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await expectLifeSetBy(admin, keys.refreshLock(userId), 1_000, () =>
      m.accessTokenFor(ref).catch(() => undefined),
    );
  });

  test('429 with a Retry-After past the cool-down: closed for the cool-down only', async () => {
    const m = manager(
      new ScriptedZoom([
        new OAuthError({ kind: 'rate_limited', status: 429, retryAfterSeconds: 600 }),
      ]),
      {
        coolDownMs: 2_000,
      },
    );
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await expectLifeSetBy(admin, keys.refreshLock(userId), 2_000, () =>
      m.accessTokenFor(ref).catch(() => undefined),
    );
  });

  test('a bad response does not close the refresh', async () => {
    const zoom = new ScriptedZoom([new OAuthError({ kind: 'bad_response', status: 200 })]);
    const m = manager(zoom);
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await expect(m.accessTokenFor(ref)).rejects.toMatchObject({ kind: 'bad_response' });
    expect(await admin.exists(keys.refreshLock(userId))).toBe(0);
    expect(await m.accessTokenFor(ref)).toBe(`at-from-rt-${userId}-old`);
  });

  test('an error that is not Zoom’s does not close the refresh either', async () => {
    const zoom = new ScriptedZoom([new TypeError('socket hang up')]);
    const m = manager(zoom);
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(TypeError);
    expect(await admin.exists(keys.refreshLock(userId))).toBe(0);
  });

  test('cooling, and the grant ended meanwhile: the session’s grant is over', async () => {
    const m = manager(
      new ScriptedZoom([
        new OAuthError({ kind: 'refused', status: 400, oauthError: 'invalid_request' }),
      ]),
    );
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await m.accessTokenFor(ref).catch(() => undefined);
    await admin.del(keys.grantRecord(userId));
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(GrantEndedError);
  });
});

describe('the record a grant keeps', () => {
  test('the grant id and time kept by a refresh; updatedAt from the clock', async () => {
    let clock = 1_000_000;
    const zoom = new ScriptedZoom([tokens('second', 3_600_000)]);
    const m = manager(zoom, { now: () => clock });
    const userId = newUser();
    const ref = await m.beginGrant(userId, {
      ...tokens('first', 3_600_000),
      accessExpiresAt: clock + 1000,
    });
    let r = await store.get(userId);
    expect(r).toMatchObject({ grantedAt: 1_000_000, updatedAt: 1_000_000 });
    clock += 500;
    expect(await m.accessTokenFor(ref)).toBe('at-second');
    r = await store.get(userId);
    expect(r).toMatchObject({
      grantedAt: 1_000_000,
      updatedAt: 1_000_500,
      grantId: ref.grantId,
      scopes: ['user:read:user'],
    });
    const plain = await m.beginGrant(newUser(), tokens('x', 3_600_000));
    expect(plain.grantId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  test('a legacy record without a grant id matches no session', async () => {
    const m = manager(new ScriptedZoom([]));
    const userId = newUser();
    const ref = await grantFor(m, userId, 3_600_000);
    const r = (await store.get(userId)) as TokenRecord;
    await store.put(userId, { ...r, grantId: '' });
    expect(await m.isCurrent({ userId, grantId: '' })).toBe(false);
    await expect(m.accessTokenFor({ userId, grantId: '' })).rejects.toBeInstanceOf(GrantEndedError);
    expect(await m.isCurrent(ref)).toBe(false);
  });
});

describe('withAccessToken', () => {
  test('an error other than a 401 is passed on, with no refresh', async () => {
    const zoom = new ScriptedZoom([]);
    const m = manager(zoom);
    const ref = await grantFor(m, newUser(), 3_600_000);
    const boom = new ZoomApiError({
      kind: 'not_found',
      status: 404,
      code: 1001,
      zoomMessage: 'User does not exist',
    });
    await expect(m.withAccessToken(ref, () => Promise.reject(boom))).rejects.toBe(boom);
    expect(zoom.grants).toBe(0);
  });

  test('a 401, and a re-install meanwhile: the old session’s grant is over', async () => {
    const zoom = new ScriptedZoom([]);
    const m = manager(zoom);
    const userId = newUser();
    const ref = await grantFor(m, userId, 3_600_000);
    await expect(
      m.withAccessToken(ref, async () => {
        await m.beginGrant(userId, tokens('reinstalled'));
        throw new ZoomApiError({
          kind: 'unauthorized',
          status: 401,
          code: 124,
          zoomMessage: 'Invalid access token.',
        });
      }),
    ).rejects.toBeInstanceOf(GrantEndedError);
    expect(zoom.grants).toBe(0);
  });

  test('a fresh token is used without a refresh; a stale one is refreshed first', async () => {
    const zoom = new ScriptedZoom([]);
    const m = manager(zoom);
    const fresh = await grantFor(m, newUser(), 3_600_000);
    expect(await m.withAccessToken(fresh, (t) => Promise.resolve(t))).toBe(
      `at-${fresh.userId}-old`,
    );
    expect(zoom.grants).toBe(0);
    // 61 s left: just outside the 60 s margin, still fresh.
    const edge = await grantFor(m, newUser(), 61_500);
    expect(await m.accessTokenFor(edge)).toBe(`at-${edge.userId}-old`);
    const stale = await grantFor(m, newUser(), 59_000);
    expect(await m.accessTokenFor(stale)).toBe(`at-from-rt-${stale.userId}-old`);
    expect(zoom.grants).toBe(1);
  });
});

describe('in-process single flight', () => {
  test('callers of one process share one refresh, and a later stale read refreshes again', async () => {
    const zoom = new HeldZoom();
    const m = manager(zoom);
    const userId = newUser();
    const ref = await grantFor(m, userId);
    const calls = [m.accessTokenFor(ref), m.accessTokenFor(ref), m.accessTokenFor(ref)];
    await zoom.held();
    zoom.answerAll();
    const got = await Promise.all(calls);
    expect(new Set(got).size).toBe(1);
    expect(zoom.grants).toBe(1);
  });

  test('a 401 on the token a refresh in flight is replacing: waits for it, no second grant', async () => {
    const zoom = new HeldZoom();
    const m = manager(zoom);
    const userId = newUser();
    const ref = await grantFor(m, userId);
    const first = m.accessTokenFor(ref);
    await zoom.held();
    // A caller that already holds the old token gets a 401 meanwhile.
    const second = m.withAccessToken(ref, (t) =>
      t === `at-${userId}-old`
        ? Promise.reject(
            new ZoomApiError({
              kind: 'unauthorized',
              status: 401,
              code: 124,
              zoomMessage: 'Invalid access token.',
            }),
          )
        : Promise.resolve(t),
    );
    await tick(50);
    zoom.answerAll();
    const [a, b] = await Promise.all([first, second]);
    expect(b).toBe(a);
    expect(zoom.grants).toBe(1);
  });
});

describe('what a refresh asks of storage', () => {
  test('a refresh renews the record’s time to live and asks for a replica; the sweep’s keeps it', async () => {
    const troubled = new TroubledStore(new RedisTokenStore(connect(), keys, cipher, 3600));
    const m = manager(new ScriptedZoom([]), { store: troubled });
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await admin.expire(keys.grantRecord(userId), 100);
    await m.accessTokenFor(ref);
    expect(await admin.ttl(keys.grantRecord(userId))).toBeGreaterThan(3000);
    expect(troubled.writeOptions).toEqual([{ keepTtl: false, awaitReplica: true }]);
    await m.verifyWithZoom(userId);
    expect(troubled.writeOptions[1]).toEqual({ keepTtl: true, awaitReplica: true });
  });

  test('a storage failure on reading is passed on, not taken for an unreadable or absent record', async () => {
    const troubled = new TroubledStore(new RedisTokenStore(connect(), keys, cipher, 3600));
    const zoom = new ScriptedZoom([]);
    const m = manager(zoom, { store: troubled });
    const userId = newUser();
    const ref = await grantFor(m, userId, 3_600_000);
    troubled.failReads = 1;
    await expect(m.verifyWithZoom(userId)).rejects.toThrow('Connection is closed.');
    troubled.failReads = 1;
    await expect(m.endGrant(userId)).rejects.toThrow('Connection is closed.');
    troubled.failReads = 1;
    await expect(m.accessTokenFor(ref)).rejects.toThrow('Connection is closed.');
    expect(await store.get(userId)).not.toBeNull();
    expect(zoom.grants).toBe(0);
  });

  test('onRefreshGrant is told of each grant sent to Zoom, with the user', async () => {
    const told: string[] = [];
    const zoom = new ScriptedZoom([new OAuthError({ kind: 'unavailable', status: 503 })]);
    const m = manager(zoom, { onRefreshGrant: (userId) => told.push(userId) });
    const userId = newUser();
    const ref = await grantFor(m, userId);
    await m.accessTokenFor(ref).catch(() => undefined);
    await m.accessTokenFor(ref);
    expect(told).toEqual([userId, userId]);
    expect(zoom.grants).toBe(2);
  });
});

describe('single flight and the dead-grant loop, at their edges', () => {
  test('a refresh in flight that answers with a record still stale for the next caller: that caller refreshes', async () => {
    const zoom = new ScriptedZoom([]);
    const m = manager(zoom);
    const userId = newUser();
    const ref = await grantFor(m, userId, 3_600_000); // fresh: the call is made at once
    // Another process holds the lock for now.
    await admin.set(keys.refreshLock(userId), 'another-process', 'PX', 10_000);
    let later: Promise<string> | undefined;
    const first = m.withAccessToken(ref, async (token) => {
      if (token !== `at-${userId}-old`) return token;
      // Meanwhile that process stored another access token, already stale, and Zoom refuses ours.
      const r = (await store.get(userId)) as TokenRecord;
      await store.put(userId, { ...r, accessToken: 'at-stale-other', accessExpiresAt: Date.now() });
      setTimeout(() => {
        // A request that finds the stale record while the 401's refresh waits for the lock.
        later = m.accessTokenFor(ref);
        setTimeout(() => void admin.del(keys.refreshLock(userId)), 100);
      }, 50);
      throw new ZoomApiError({
        kind: 'unauthorized',
        status: 401,
        code: 124,
        zoomMessage: 'Invalid access token.',
      });
    });
    // The 401's refresh finds a token other than the refused one: it uses it, no grant.
    expect(await first).toBe('at-stale-other');
    await tick(10);
    if (!later) throw new Error('the later request did not start');
    // The later request needs a fresh token: it does not take the stale one, it refreshes.
    expect(await later).toBe(`at-from-rt-${userId}-old`);
    expect(zoom.grants).toBe(1);
  });

  test('a dead grant whose record is rewritten before each erase: tried five times', async () => {
    const userId = newUser();
    const troubled = new TroubledStore(new RedisTokenStore(connect(), keys, cipher, 3600));
    let reseals = 0;
    let limit = 0;
    troubled.afterRead = async () => {
      if (reseals >= limit) return;
      reseals++;
      const r = (await store.get(userId)) as TokenRecord; // same refresh token, a later write
      await store.put(userId, { ...r, updatedAt: r.updatedAt + 1 });
    };
    const dead = (): OAuthError =>
      new OAuthError({ kind: 'grant_dead', status: 400, oauthError: 'invalid_grant' });
    const zoom = new ScriptedZoom([dead(), dead()], (n) => {
      // From Zoom's refusal on, every read is followed by a rewrite, up to the limit.
      reseals = 0;
      limit = n === 1 ? 20 : 4;
      return Promise.resolve();
    });
    const m = manager(zoom, { store: troubled });
    const ref = await grantFor(m, userId);
    // Rewritten again and again: after five tries, reconnect, and the record is left.
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(reseals).toBe(5);
    const left = await store.get(userId);
    expect(left?.refreshToken).toBe(`rt-${userId}-old`);
    // Rewritten four times: the fifth try erases it.
    await expect(m.accessTokenFor(ref)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(reseals).toBe(4);
    expect(await store.get(userId)).toBeNull();
  });
});
