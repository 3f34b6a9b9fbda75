import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Browser, signIn } from '../../harness/browser';
import { ROOT } from '../../harness/processes';
import { startStack, type Stack } from '../../harness/stack';

/** `npm run migrate-keys`: the first key layout (`tokens:<id>`) to the hash-tagged one. */

const run = promisify(execFile);
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

async function migrate(env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(
      process.execPath,
      [path.join(ROOT, 'dist', 'src', 'commands', 'migrate-keys.js')],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...stack.env, ...env }, timeout: 30_000 },
    );
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Renames one of the user's keys back to its name in the first layout. */
async function toOldName(key: string): Promise<string> {
  const old = key.replace(/\{([^}]*)\}$/, '$1');
  await stack.admin.rename(key, old);
  return old;
}

test('moves a signed-in user’s grant, sessions and history to the new names; the session still works', async () => {
  await stack.reset();
  const browser = new Browser();
  await signIn(browser, stack.app.url, 'ada');
  const ada = await stack.control.userId('ada');
  const k = stack.keyNames;
  await stack.admin.hset(k.history(ada), 'r1', 'sealed-entry');
  await stack.admin.expire(k.history(ada), 3_600);
  const ttl = await stack.admin.ttl(k.grantRecord(ada));
  const oldTokens = await toOldName(k.grantRecord(ada));
  await toOldName(k.userSessions(ada));
  await toOldName(k.history(ada));
  await stack.admin.set(`${k.refreshLockPrefix}${ada}`, 'owner', 'PX', 10_000);
  await stack.admin.set(`${k.actionRateLimitPrefix}${ada}`, '3', 'PX', 60_000);
  await signIn(new Browser(), stack.app.url, 'grace'); // a user already on the new layout

  const first = await migrate();
  expect(first.code).toBe(0);
  expect(first.out).toMatch(/moved\s+3/);
  expect(first.out).toMatch(/dropped\s+2/);
  expect(await stack.admin.exists(oldTokens)).toBe(0);
  expect(await stack.admin.ttl(k.grantRecord(ada))).toBeGreaterThan(ttl - 10);
  expect(await stack.admin.hget(k.history(ada), 'r1')).toBe('sealed-entry');
  expect(await stack.tokenStore.get(ada)).not.toBeNull();
  expect((await browser.get(`${stack.app.url}/`)).text).toContain('Ada Lovelace');
  const grace = await stack.control.userId('grace');
  expect(await stack.tokenStore.get(grace)).not.toBeNull();
  expect(
    (await stack.keys()).filter((key) => key.includes(ada) && !key.includes(`{${ada}}`)),
  ).toEqual([]);

  // Run again: nothing left to do.
  const second = await migrate();
  expect(second.out).toMatch(/moved\s+0/);
  expect(second.out).toMatch(/kept \(newer there\)\s+0/);
});

test('where the new name is already taken the new value wins, and histories are merged', async () => {
  await stack.reset();
  await signIn(new Browser(), stack.app.url, 'ada');
  const ada = await stack.control.userId('ada');
  const k = stack.keyNames;
  const newer = await stack.admin.get(k.grantRecord(ada));
  await stack.admin.set(`${k.grantRecordPrefix}${ada}`, 'an older grant');
  await stack.admin.hset(k.history(ada), 'new', 'n');
  await stack.admin.hset(`${k.historyPrefix}${ada}`, 'old', 'o', 'new', 'stale');
  const out = await migrate();
  expect(out.out).toMatch(/kept \(newer there\)\s+2/);
  expect(await stack.admin.get(k.grantRecord(ada))).toBe(newer);
  // Beside the lists the sign-in's dashboard saw (its `seen` field), kept as they were.
  const seen = await stack.admin.hget(k.history(ada), 'seen');
  expect(seen).toMatch(/^v1\./);
  expect(await stack.admin.hgetall(k.history(ada))).toEqual({ new: 'n', old: 'o', seen });
  expect(await stack.admin.exists(`${k.grantRecordPrefix}${ada}`)).toBe(0);
});

test('refuses to run against a cluster', async () => {
  const out = await migrate({ REDIS_CLUSTER: '1' });
  expect(out.code).toBe(1);
  expect(out.out).toContain('REDIS_CLUSTER unset');
});
