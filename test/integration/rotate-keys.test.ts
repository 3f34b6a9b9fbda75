import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { deriveEncryptionKey, type EncryptionKey } from '../../src/config';
import { RecordCipher } from '../../src/store/crypto';
import { rotateTokenRecords, type RotationOptions } from '../../src/store/key-rotation';
import { RedisKeys } from '../../src/store/keys';
import { RedisTokenStore } from '../../src/store/token-store';
import type { TokenRecord } from '../../src/zoom/grant';
import { testRedisConnections } from './refresh-fakes';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'dist', 'src', 'commands', 'rotate-keys.js');
const PREFIX = `t${randomBytes(4).toString('hex')}:`;
const TTL_SECONDS = 5_000;

function newKeyMaterial(): { hex: string; key: EncryptionKey } {
  const material = randomBytes(32);
  return { hex: material.toString('hex'), key: deriveEncryptionKey(material) };
}

const oldKey = newKeyMaterial();
const newKey = newKeyMaterial();
const strangerKey = newKeyMaterial();

const { connect, closeAll } = testRedisConnections();
const redis = connect();
afterAll(async () => {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 500);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
  await closeAll();
});

/** Each test gets its own namespace under the file's prefix, so counts are its own. */
let namespaces = 0;
interface Fixture {
  readonly keys: RedisKeys;
  readonly underOld: RedisTokenStore;
  readonly underNew: RedisTokenStore;
  readonly underStranger: RedisTokenStore;
  /** Only the new key: what the app can read once the old key is removed. */
  readonly newOnly: RedisTokenStore;
  /** The rotation's cipher: TOKEN_ENCRYPTION_KEY="<new>,<old>". */
  readonly cipher: RecordCipher;
  rotate(opts?: RotationOptions): ReturnType<typeof rotateTokenRecords>;
}

function fixture(): Fixture {
  namespaces += 1;
  const keys = new RedisKeys(`${PREFIX}${namespaces}:`);
  const store = (...k: EncryptionKey[]): RedisTokenStore =>
    new RedisTokenStore(redis, keys, new RecordCipher(k), TTL_SECONDS);
  const cipher = new RecordCipher([newKey.key, oldKey.key]);
  return {
    keys,
    underOld: store(oldKey.key),
    underNew: store(newKey.key, oldKey.key),
    underStranger: store(strangerKey.key),
    newOnly: store(newKey.key),
    cipher,
    rotate: (opts) => rotateTokenRecords(redis, keys, cipher, opts),
  };
}

function record(n: number): TokenRecord {
  return {
    grantId: `grant-${n}`,
    grantedAt: 1_700_000_000_000,
    accessToken: `access-SECRET-${n}`,
    refreshToken: `refresh-SECRET-${n}`,
    accessExpiresAt: 1_700_000_000_000 + n,
    scopes: ['user:read:user', 'user:delete:assistant'],
    updatedAt: 1_700_000_000_000,
  };
}

async function raw(f: Fixture, userId: string): Promise<string | null> {
  return redis.get(f.keys.grantRecord(userId));
}

test('records under the old key are rotated, open under the new key alone, and keep their TTL', async () => {
  const f = fixture();
  await f.underOld.put('u1', record(1));
  await f.underOld.put('u2', record(2));
  await redis.expire(f.keys.grantRecord('u2'), 1_234);
  const before = await raw(f, 'u1');

  const report = await f.rotate();

  expect(report).toEqual({
    scanned: 2,
    rotated: 2,
    alreadyCurrent: 0,
    unknownKey: [],
    unknownKeyIds: [],
    unreadable: [],
    changedMeanwhile: 0,
  });
  const after = await raw(f, 'u1');
  expect(after).not.toBe(before);
  expect(RecordCipher.keyIdOf(after ?? '')).toBe(newKey.key.id);
  expect(await f.newOnly.get('u1')).toEqual(record(1));
  expect(await f.newOnly.get('u2')).toEqual(record(2));
  // KEEPTTL: rotation neither drops nor renews the expiry.
  const ttl1 = await redis.ttl(f.keys.grantRecord('u1'));
  const ttl2 = await redis.ttl(f.keys.grantRecord('u2'));
  expect(ttl1).toBeGreaterThan(TTL_SECONDS - 10);
  expect(ttl1).toBeLessThanOrEqual(TTL_SECONDS);
  expect(ttl2).toBeGreaterThan(1_234 - 10);
  expect(ttl2).toBeLessThanOrEqual(1_234);
});

test('a record with no expiry stays without one', async () => {
  const f = fixture();
  await f.underOld.put('u1', record(1));
  await redis.persist(f.keys.grantRecord('u1'));
  expect((await f.rotate()).rotated).toBe(1);
  expect(await redis.ttl(f.keys.grantRecord('u1'))).toBe(-1);
});

test('records already under the current key are left byte-identical', async () => {
  const f = fixture();
  await f.underNew.put('u1', record(1));
  const before = await raw(f, 'u1');

  const report = await f.rotate();

  expect(report.alreadyCurrent).toBe(1);
  expect(report.rotated).toBe(0);
  expect(await raw(f, 'u1')).toBe(before);
});

test('a record under a key no longer configured is reported with its key id and left as it is', async () => {
  const f = fixture();
  await f.underStranger.put('lost', record(1));
  await f.underOld.put('u1', record(2));
  const before = await raw(f, 'lost');
  const ttlBefore = await redis.ttl(f.keys.grantRecord('lost'));

  const report = await f.rotate();

  expect(report.unknownKey).toEqual(['lost']);
  expect(report.unknownKeyIds).toEqual([strangerKey.key.id]);
  expect(report.rotated).toBe(1);
  expect(report.scanned).toBe(2);
  expect(await raw(f, 'lost')).toBe(before);
  expect(await redis.ttl(f.keys.grantRecord('lost'))).toBe(ttlBefore);
  // Still readable by whoever has the stranger key: nothing was lost.
  expect(await f.underStranger.get('lost')).toEqual(record(1));
});

test('garbage, a record moved to another user, and a non-string key are reported unreadable and left', async () => {
  const f = fixture();
  await redis.set(f.keys.grantRecord('garbage'), 'not-a-sealed-record');
  await f.underOld.put('victim', record(1));
  const moved = (await raw(f, 'victim')) ?? '';
  await redis.set(f.keys.grantRecord('thief'), moved); // the associated data no longer matches
  const parts = moved.split('.');
  parts[3] = (parts[3]?.startsWith('A') ? 'B' : 'A') + (parts[3] ?? '').slice(1); // the body
  await redis.set(f.keys.grantRecord('tampered'), parts.join('.'));
  await redis.hset(f.keys.grantRecord('hash'), 'x', '1');

  const report = await f.rotate();

  expect([...report.unreadable].sort()).toEqual(['garbage', 'hash', 'tampered', 'thief']);
  expect(report.unknownKey).toEqual([]);
  expect(report.rotated).toBe(1); // victim
  expect(report.scanned).toBe(5);
  expect(await raw(f, 'garbage')).toBe('not-a-sealed-record');
  expect(await raw(f, 'thief')).toBe(moved);
  expect(await redis.hget(f.keys.grantRecord('hash'), 'x')).toBe('1');
});

test('running twice is idempotent: the second run finds everything current and changes nothing', async () => {
  const f = fixture();
  for (let i = 0; i < 5; i++) await f.underOld.put(`u${i}`, record(i));
  await f.underNew.put('current', record(9));

  const first = await f.rotate();
  const all = ['current', 'u0', 'u1', 'u2', 'u3', 'u4'].map((u) => f.keys.grantRecord(u));
  const values = await redis.mget(...all);
  const second = await f.rotate();

  expect(first).toMatchObject({ scanned: 6, rotated: 5, alreadyCurrent: 1 });
  expect(second).toEqual({
    scanned: 6,
    rotated: 0,
    alreadyCurrent: 6,
    unknownKey: [],
    unknownKeyIds: [],
    unreadable: [],
    changedMeanwhile: 0,
  });
  expect(await redis.mget(...all)).toEqual(values);
});

test('a refresh that rewrites the record between read and write is not overwritten', async () => {
  const f = fixture();
  await f.underOld.put('racer', record(1));
  await f.underOld.put('calm', record(2));
  const refreshed = {
    ...record(1),
    accessToken: 'access-REFRESHED',
    refreshToken: 'refresh-REFRESHED',
  };

  const report = await f.rotate({
    // The app refreshes (and so writes with the current key) while the rotation is mid-record.
    beforeWrite: async (userId) => {
      if (userId === 'racer') await f.underNew.put('racer', refreshed);
    },
  });

  expect(report.changedMeanwhile).toBe(1);
  expect(report.rotated).toBe(1);
  expect(await f.newOnly.get('racer')).toEqual(refreshed);
  expect(await f.newOnly.get('calm')).toEqual(record(2));
});

test('a record deleted between read and write (disconnect) is not brought back', async () => {
  const f = fixture();
  await f.underOld.put('leaver', record(1));

  const report = await f.rotate({
    beforeWrite: async (userId) => {
      await f.underNew.erase(userId, 'any');
    },
  });

  expect(report).toMatchObject({ scanned: 1, rotated: 0, changedMeanwhile: 1 });
  expect(await redis.exists(f.keys.grantRecord('leaver'))).toBe(0);
});

test('many records over many SCAN pages are each handled exactly once', async () => {
  const f = fixture();
  const pipe = redis.pipeline();
  const cipher = new RecordCipher([oldKey.key]);
  for (let i = 0; i < 450; i++) {
    const sealed = cipher.seal(JSON.stringify({ n: i }), `token-record:u${i}`);
    pipe.set(f.keys.grantRecord(`u${i}`), sealed, 'EX', TTL_SECONDS);
  }
  await pipe.exec();

  const report = await f.rotate({ scanCount: 37 });

  expect(report).toMatchObject({ scanned: 450, rotated: 450, changedMeanwhile: 0 });
  expect((await f.rotate({ scanCount: 37 })).alreadyCurrent).toBe(450);
});

test('only this prefix is touched: keys of another prefix and other kinds of key are not scanned', async () => {
  const f = fixture();
  const other = new RedisTokenStore(
    redis,
    new RedisKeys(`${PREFIX}other${namespaces}:`),
    new RecordCipher([oldKey.key]),
    TTL_SECONDS,
  );
  await other.put('u1', record(1));
  await redis.set(f.keys.refreshLock('u1'), 'x', 'EX', 60);
  await f.underOld.put('u1', record(1));

  const report = await f.rotate();

  expect(report.scanned).toBe(1);
  expect(await redis.get(f.keys.refreshLock('u1'))).toBe('x');
  expect(await other.get('u1')).toEqual(record(1));
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runScript(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run rotate-keys (compiled)', () => {
  const prefix = `${PREFIX}e2e:`;
  const keys = new RedisKeys(prefix);
  const env = (): Record<string, string> => ({
    REDIS_URL: process.env.TEST_REDIS_URL ?? '',
    REDIS_KEY_PREFIX: prefix,
    TOKEN_ENCRYPTION_KEY: `${newKey.hex},${oldKey.hex}`,
    ZOOM_CLIENT_ID: 'test-client-id',
    ZOOM_CLIENT_SECRET: 'test-client-secret',
    ZOOM_REDIRECT_URL: 'https://x.example/oauth/callback',
    ZOOM_WEBHOOK_SECRET_TOKEN: 'test-webhook-secret',
    SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
  });
  const store = (...k: EncryptionKey[]): RedisTokenStore =>
    new RedisTokenStore(redis, keys, new RecordCipher(k), TTL_SECONDS);

  beforeAll(() => {
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run "npm run build" first`);
  });

  /** Neither a token nor key material ever reaches the output. */
  function expectNoSecrets(run: Run): void {
    const out = run.stdout + run.stderr;
    for (const secret of [newKey.hex, oldKey.hex, strangerKey.hex, 'SECRET']) {
      expect(out).not.toContain(secret);
    }
  }

  it('rotates, reports counts, and exits 0; then 2 with a record under an unknown key', async () => {
    await store(oldKey.key).put('alice', record(1));
    await store(oldKey.key).put('bob', record(2));
    await store(newKey.key).put('carol', record(3));

    const first = await runScript(env());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`current key ${newKey.key.id}`);
    expect(first.stdout).toMatch(/scanned +3\n/);
    expect(first.stdout).toMatch(/rotated +2\n/);
    expect(first.stdout).toMatch(/already current +1\n/);
    expect(first.stdout).toMatch(/unknown key +0\n/);
    expect(first.stdout).toMatch(/unreadable +0\n/);
    expectNoSecrets(first);
    expect(await store(newKey.key).get('alice')).toEqual(record(1));

    await store(strangerKey.key).put('dave', record(4));
    await redis.set(keys.grantRecord('erin'), 'garbage');
    const second = await runScript(env());
    expect(second.code).toBe(2);
    expect(second.stdout).toMatch(/scanned +5\n/);
    expect(second.stdout).toMatch(/rotated +0\n/);
    expect(second.stdout).toMatch(/already current +3\n/);
    expect(second.stdout).toMatch(/unknown key +1\n/);
    expect(second.stdout).toMatch(/unreadable +1\n/);
    expect(second.stdout).toContain(`key id ${strangerKey.key.id}`);
    expect(second.stdout).toMatch(/^ {2}dave$/m);
    expect(second.stdout).toMatch(/^ {2}erin$/m);
    expectNoSecrets(second);
    expect(await store(strangerKey.key).get('dave')).toEqual(record(4));
  });

  it('exits 1 with one line per configuration problem', async () => {
    const broken: Record<string, string> = { ...env(), SESSION_SECRET: 'short' };
    delete broken.TOKEN_ENCRYPTION_KEY;
    const run = await runScript(broken);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').sort()).toEqual([
      'config error: SESSION_SECRET: must be at least 32 characters',
      'config error: TOKEN_ENCRYPTION_KEY: is required',
    ]);
    expect(run.stdout).toBe('');
  });
});
