import { newCredentials } from '../../harness/app-env';
import { startRedisServer, type RunningRedis } from '../../harness/redis';
import { startSandboxFor, type RunningSandbox } from '../../harness/sandbox';
import { seedGrants, sweepRig, type SweepRig } from '../../harness/sweep-rig';
import { createLogger } from '../../src/log';
import { RedisLock } from '../../src/store/lock';
import { createRedis, type RedisClient } from '../../src/store/redis';
import { ZoomOAuthClient } from '../../src/zoom/oauth';
import { sweepIdleGrants, type SweepReport } from '../../src/zoom/use-cases/sweep';

/**
 * The sweep against the sandbox over HTTP and a redis-server of this file's own (so Redis's
 * command counters hold only what this file does): its steady pool, its pace, its Redis
 * commands per grant, and keep-alive to the token endpoint.
 */

const DAY = 24 * 3_600_000;
const credentials = newCredentials('sweep');
const logger = createLogger('silent');
let server: RunningRedis;
let sandbox: RunningSandbox;
let redis: RedisClient;
let subscriber: RedisClient;
let admin: RedisClient;
let prefixes = 0;

beforeAll(async () => {
  server = await startRedisServer();
  sandbox = await startSandboxFor({ appUrl: 'http://127.0.0.1:3999', credentials });
  const connect = (): RedisClient => createRedis({ url: server.url, tlsRejectUnauthorized: false });
  [redis, subscriber, admin] = [connect(), connect(), connect()];
});

afterAll(async () => {
  await Promise.allSettled([redis.quit(), subscriber.quit(), admin.quit()]);
  await sandbox.close();
  await server.stop();
});

beforeEach(async () => {
  await control('/_sandbox/reset', {});
});

async function control(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function stats(): Promise<Record<string, number>> {
  return (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as Record<string, number>;
}

function rig(callsPerSecond = Infinity): SweepRig {
  prefixes += 1;
  return sweepRig({
    redis,
    subscriber,
    sandboxUrl: sandbox.url,
    credentials,
    keyPrefix: `sw${prefixes}:`,
    logger,
    callsPerSecond,
  });
}

/** Redis's count of every command run (scripts' own commands included), from INFO. */
async function commandsRun(): Promise<number> {
  const info = await admin.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] !== 'info') total += Number(m[2]);
  }
  return total;
}

const sweep = (r: SweepRig, concurrency = 4): Promise<SweepReport> =>
  sweepIdleGrants(r.deps, { idleMs: DAY, concurrency });

describe('the sweep', () => {
  test('a steady pool: one grant that Zoom holds up does not hold up the others', async () => {
    const r = rig();
    const grants = await seedGrants(r, sandbox.url, 0, 6, 2 * DAY);
    const slow = grants[0]!;
    // Zoom does not answer this user's refresh until the test lets it.
    await control('/_sandbox/config', { userLatencyMs: { [slow.email]: 120_000 } });
    const run = sweep(r, 2);
    // With lock-step batches of two, the held grant's batch would keep the next four waiting.
    for (let s = await stats(); s.token_refresh_ok! < 5; s = await stats()) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await control('/_sandbox/config', { userLatencyMs: {} });
    const report = await run;
    expect(report).toMatchObject({ scanned: 6, kept: 6, unchecked: 0, stoppedEarly: null });
    expect((await stats()).token_refresh_ok).toBe(6);
    // Every record now holds the rotated refresh token (the old one is dead at Zoom).
    for (const g of grants) {
      const record = await r.services.tokenStore.get(g.userId);
      expect(record?.refreshToken).not.toBe(g.refresh_token);
      expect(record?.grantId).toBe(`grant-${g.user}`);
    }
  });

  test('every refresh waits its turn with the pace', async () => {
    const r = rig(1000);
    await seedGrants(r, sandbox.url, 100, 5, 2 * DAY);
    await seedGrants(r, sandbox.url, 200, 2, 60_000); // used a minute ago: not checked
    const report = await sweep(r);
    expect(report).toMatchObject({ scanned: 7, recent: 2, kept: 5 });
    expect(r.pace.calls.token).toBe(5);
    expect((await stats()).token_refresh).toBe(5);
  });

  test('a grant Zoom refuses is erased; one it honours is kept; at most 8 Redis commands a grant', async () => {
    const r = rig();
    const grants = await seedGrants(r, sandbox.url, 300, 10, 2 * DAY);
    for (const g of grants.slice(0, 2)) await control('/_sandbox/revoke-grant', { user: g.user });
    const before = await commandsRun();
    const report = await sweep(r);
    const perGrant = ((await commandsRun()) - before) / grants.length;
    expect(report).toMatchObject({ scanned: 10, kept: 8, deleted: 2, unchecked: 0 });
    for (const g of grants.slice(0, 2)) {
      expect(await r.services.tokenStore.get(g.userId)).toBeNull();
      expect(await admin.exists(r.services.keys.refreshLock(g.userId))).toBe(0);
    }
    for (const g of grants.slice(2)) {
      expect(await admin.exists(r.services.keys.refreshLock(g.userId))).toBe(0);
    }
    // 8 for a kept grant, 7 for an erased one, plus the page's SCAN and MGET.
    expect(perGrant).toBeLessThanOrEqual(8.2);
  });

  test('a grant whose refresh another process holds is checked through the token manager', async () => {
    const r = rig();
    const [g] = await seedGrants(r, sandbox.url, 400, 1, 2 * DAY);
    const lock = new RedisLock(admin, subscriber, r.services.keys.lockReleasedChannel);
    const held = await lock.tryAcquire(r.services.keys.refreshLock(g!.userId), 15_000);
    if (held.kind !== 'acquired') throw new Error('lock not taken');
    const run = sweep(r);
    // The sweep waits for the holder (a sweep that did not would have refreshed by now; a
    // passing run does not depend on how long this is), then finds the grant still unchecked.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await stats()).token_refresh).toBe(0);
    await lock.release(held.handle);
    expect(await run).toMatchObject({ kept: 1 });
    expect((await stats()).token_refresh_ok).toBe(1);
  });

  test('a refresh Zoom rate-limits closes that grant’s refresh for as long as Zoom asked', async () => {
    const r = rig();
    const [g] = await seedGrants(r, sandbox.url, 500, 1, 2 * DAY);
    await control('/_sandbox/faults', { target: 'token', status: 429, retryAfter: '1' });
    const report = await sweepIdleGrants(r.deps, { idleMs: DAY, maxWaitMs: 0 });
    expect(report.stoppedEarly).toMatch(/rate limit/);
    const lock = new RedisLock(admin, subscriber, r.services.keys.lockReleasedChannel);
    const attempt = await lock.tryAcquire(r.services.keys.refreshLock(g!.userId), 1000);
    expect(attempt).toMatchObject({ kind: 'cooling', reason: 'rate_limited' });
  });
});

describe('keep-alive to the token endpoint', () => {
  test('several refreshes, one connection', async () => {
    const r = rig();
    const grants = await seedGrants(r, sandbox.url, 600, 4, 2 * DAY);
    const oauth = new ZoomOAuthClient({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      redirectUrl: 'http://127.0.0.1:3999/oauth/callback',
      oauthUrl: sandbox.url,
      timeoutMs: 5000,
    });
    const before = (await stats()).token_connections!;
    for (const g of grants) await oauth.refresh(g.refresh_token);
    const after = await stats();
    expect(after.token_refresh_ok).toBe(4);
    expect(after.token_connections! - before).toBe(1);
  });
});
