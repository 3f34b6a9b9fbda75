import os from 'node:os';
import path from 'node:path';
import { Browser, signIn, type Page } from '../harness/browser';
import { formNamed, formsOf, submit } from '../harness/forms';
import { ROOT, spawnTracked } from '../harness/processes';
import { seedGrants, type BenchGrant } from '../harness/sweep-rig';
import { RedisAssistantEnds } from '../src/store/assistant-ends';
import { RecordCipher } from '../src/store/crypto';
import { FLASH, VIEW } from '../src/http/copy';
import { loadConfig } from '../src/config';
import { RedisKeys } from '../src/store/keys';
import type { RedisClient } from '../src/store/redis';
import { cpuMs, machineBusyMs, memoryMb, sum } from './measure';
import { FORWARDED, type Stack } from './stack';

// What capacity costs (issue #26): Redis bytes per user, Zoom calls per user action, and the
// sweep over many grants with Zoom-sized tokens and Zoom's latency.

/** Every key the app keeps for one user, by the app's own key layout (RedisKeys). */
async function keysOfUser(admin: RedisClient, keys: RedisKeys, userId: string) {
  const sessionIds = await admin.zrange(keys.userSessions(userId), '0', '-1');
  return [
    keys.grantRecord(userId),
    keys.userSessions(userId),
    ...keys.otherUserKeys(userId),
    ...sessionIds.map((sid) => keys.sessionPrefix + sid),
  ];
}

/** MEMORY USAGE (every element sampled) of each of the user's keys that exists, in bytes. */
export async function bytesOfUser(stack: Stack, userId: string) {
  const keys = new RedisKeys(loadConfig(stack.env).redis.keyPrefix);
  const byKey: Record<string, number> = {};
  for (const key of await keysOfUser(stack.admin, keys, userId)) {
    const bytes = (await stack.admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) as number | null;
    if (bytes !== null)
      byKey[key.slice(keys.prefix.length).replace(/\{[^}]*\}|[^:]{20,}$/, '…')] = bytes;
  }
  return { total: sum(Object.values(byKey)), byKey };
}

/** The Zoom calls the sandbox answered (REST and token endpoint) while `act` ran. */
async function zoomCallsOf(stack: Stack, act: () => Promise<unknown>): Promise<number> {
  const count = async (): Promise<number> => {
    const s = await stack.sandbox.control.stats();
    const names = [
      ...['users_me', 'list_assistants', 'add_assistants', 'delete_assistants'],
      ...['delete_assistant', 'list_schedulers', 'delete_schedulers', 'delete_scheduler'],
      ...['token_refresh', 'token_authorization_code', 'revoke'],
    ];
    return sum(names.map((n) => s[n] ?? 0));
  };
  const before = await count();
  await act();
  return (await count()) - before;
}

/**
 * Zoom calls per user action, each as its form post alone (the redirect's dashboard is the
 * "view"), on ada (3 assistants, schedules for 2). Then her keys' bytes: a typical user.
 */
export async function benchActions(stack: Stack) {
  await stack.sandbox.control.reset();
  const browser = new Browser(FORWARDED);
  const base = stack.app.url;
  let page: Page = await signIn(browser, base, 'ada');
  const view = await zoomCallsOf(stack, async () => (page = await browser.get(`${base}/`)));
  const post = async (name: string, tick = false): Promise<number> => {
    const calls = await zoomCallsOf(stack, () =>
      submit(browser, page, name, { tick, follow: false }),
    );
    page = await browser.get(`${base}/`);
    return calls;
  };
  const removeOne = await post(VIEW.dashboard.removeLabel('grace.assistant@example.com'));
  const undo = await post(FLASH.undoLabel(['grace.assistant@example.com']));
  const removeAll = await post(VIEW.dashboard.clearButton(3), true);
  const ask = /href="(\/schedulers\/[^"]+\/step-down\?[^"]+)"/.exec(page.text)?.[1];
  if (!ask) throw new Error('no step-down link on the dashboard');
  const confirm = await browser.get(`${base}${ask.replace(/&amp;/g, '&')}`);
  const stepDown = await zoomCallsOf(stack, () =>
    browser.postForm(new URL(formNamed(confirm, 'Step down').action, base).toString(), {
      ...formNamed(confirm, 'Step down').fields,
    }),
  );
  // An assistant added with an end a month ahead (a date in the user's zone, London: UTC + 0/1).
  const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const add = await zoomCallsOf(stack, () =>
    submit(browser, page, VIEW.ends.addButton, {
      fields: { email: 'edsger@example.com', date: inAMonth, time: '18:00' },
      follow: false,
    }),
  );
  const userId = await stack.sandbox.control.userId('ada');
  const typical = await bytesOfUser(stack, userId);
  return { view, removeOne, undo, removeAll, stepDown, add, typical };
}

/**
 * A user at the limits: 30 assistants (Zoom's most in one list), `cycles` times all removed and
 * put back (a history of `cycles` removals of 30 people, each undone), one session.
 */
export async function benchUserAtLimits(stack: Stack, cycles: number) {
  const emails = Array.from({ length: 30 }, (_, i) => `limits-${i}@example.com`);
  await stack.sandbox.control.post('/users/alan/assistants', { emails });
  const browser = new Browser(FORWARDED);
  const base = stack.app.url;
  let page = await signIn(browser, base, 'alan');
  for (let i = 0; i < cycles; i++) {
    await submit(browser, page, VIEW.dashboard.clearButton(30), { tick: true, follow: false });
    page = await browser.get(`${base}/`);
    // The first Undo on the page: the message's, of the removal just made.
    const form = formsOf(page).find((f) => f.button.startsWith(VIEW.history.undo));
    if (!form) throw new Error('no Undo after removing all');
    await browser.postForm(new URL(form.action, base).toString(), form.fields);
    page = await browser.get(`${base}/`);
  }
  return { cycles, ...(await bytesOfUser(stack, await stack.sandbox.control.userId('alan'))) };
}

export interface SweepRun {
  readonly grants: number;
  readonly revoked: number;
  readonly callsPerSecondCeiling: number | null;
  readonly wallSec: number;
  readonly cpuSec: number;
  readonly peakRssMb: number;
  readonly redisCommandsPerGrant: number;
  readonly zoomCallsPerSec: number;
  readonly tokenConnections: number;
  /** Due ends seeded; removed by the run (its own count); removals Zoom received. */
  readonly dueEnds: number;
  readonly endsRemoved: number;
  readonly zoomRemovals: number;
  readonly output: string;
  /** Other processes' CPU during the run, in cores (the machine's busy time less ours). */
  readonly otherLoadCores: number;
}

async function commandsRun(admin: RedisClient): Promise<number> {
  const info = await admin.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] !== 'info') total += Number(m[2]);
  }
  return total;
}

/**
 * `npm run sweep`'s command (the build) over `grants` idle grants seeded in the app's sealed
 * format (every 5th revoked at Zoom), Zoom answering each call after `latencyMs`.
 */
export async function benchSweep(
  stack: Stack,
  o: { grants: number; from: number; latencyMs: number; callsPerSecond: number | null },
): Promise<SweepRun> {
  const day = 24 * 3_600_000;
  const seeded = await seedGrants(
    { services: { tokenStore: stack.tokens } },
    stack.sandbox.url,
    o.from,
    o.grants,
    2 * day,
    5,
  );
  const dueEnds = await seedDueEnds(stack, seeded);
  await stack.sandbox.control.post('/config', { latencyMs: o.latencyMs });
  const statsBefore = await stack.sandbox.control.stats();
  const commandsBefore = await commandsRun(stack.admin);
  const env = {
    ...stack.env,
    SWEEP_IDLE_HOURS: '24',
    SWEEP_ZOOM_CALLS_PER_SECOND: String(o.callsPerSecond ?? 0),
    LOG_LEVEL: 'error',
  };
  const started = performance.now();
  const busyBefore = machineBusyMs();
  const spawned = spawnTracked(process.execPath, [path.join(ROOT, 'dist/src/commands/sweep.js')], {
    env,
  });
  let peak = 0;
  let cpu = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, memoryMb(spawned.pid).hwm);
      cpu = Math.max(cpu, cpuMs([spawned.pid]));
    } catch {
      // gone
    }
  }, 100);
  const { code } = await spawned.exited;
  clearInterval(sampler);
  const wallMs = performance.now() - started;
  const busyMs = machineBusyMs() - busyBefore;
  await stack.sandbox.control.post('/config', { latencyMs: 0 });
  const stats = await stack.sandbox.control.stats();
  const delta = (n: string): number => (stats[n] ?? 0) - (statsBefore[n] ?? 0);
  const zoomCalls = delta('token_refresh') + delta('delete_assistant');
  const output = spawned.stdout.join('\n');
  if (code !== 0) throw new Error(`sweep exited ${code}: ${output}\n${spawned.stderr.join('\n')}`);
  const commands = (await commandsRun(stack.admin)) - commandsBefore;
  return {
    grants: o.grants,
    revoked: seeded.filter((g) => g.revoked).length,
    callsPerSecondCeiling: o.callsPerSecond,
    wallSec: wallMs / 1000,
    cpuSec: cpu / 1000,
    peakRssMb: peak,
    redisCommandsPerGrant: commands / o.grants,
    zoomCallsPerSec: zoomCalls / (wallMs / 1000),
    tokenConnections: delta('token_connections'),
    dueEnds,
    // Carried out once each: the sweep's count, and the removals Zoom received.
    endsRemoved: Number(/^ {2}removed +(\d+)/m.exec(output)?.[1] ?? NaN),
    zoomRemovals: delta('delete_assistant'),
    output,
    // Everything but the sweep: Redis and the sandbox working for it, and everyone else.
    otherLoadCores: Math.max(0, busyMs - cpu) / wallMs,
  };
}

/** Every 100th live grant gets an assistant at Zoom whose end came a minute ago. */
async function seedDueEnds(stack: Stack, seeded: readonly BenchGrant[]): Promise<number> {
  const config = loadConfig(stack.env);
  const ends = new RedisAssistantEnds(
    stack.admin,
    new RedisKeys(config.redis.keyPrefix),
    new RecordCipher(config.tokens.encryptionKeys),
  );
  const chosen = seeded.filter((g, i) => !g.revoked && i % 100 === 1);
  for (const g of chosen) {
    const { assistants } = await stack.sandbox.control.post<{
      assistants: { id: string; email: string }[];
    }>(`/users/${g.user}/assistants`, { emails: [ENDING] });
    const a = assistants.find((x) => x.email === ENDING);
    if (!a) throw new Error(`no assistant for ${g.user}`);
    const at = Date.now() - 60_000;
    if (!(await ends.set(g.userId, { assistantId: a.id, email: a.email, at }))) {
      throw new Error(`no grant for ${g.user}`);
    }
  }
  return chosen.length;
}
const ENDING = 'edsger@example.com';

export function machineNow() {
  const loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
  return { at: new Date().toISOString(), loadAverage, cores: os.cpus().length };
}

/** The whole capacity section: actions, bytes, and the sweep paced (short) and unpaced. */
export async function benchCapacity(
  stack: Stack,
  o: { sweepGrants: number; pacedGrants: number; latencyMs: number; limitCycles: number },
) {
  const before = machineNow();
  const actions = await benchActions(stack);
  const atLimits = await benchUserAtLimits(stack, o.limitCycles);
  const paced = await benchSweep(stack, {
    grants: o.pacedGrants,
    from: 0,
    latencyMs: o.latencyMs,
    callsPerSecond: 10,
  });
  const unpaced = await benchSweep(stack, {
    grants: o.sweepGrants,
    from: 1_000_000,
    latencyMs: o.latencyMs,
    callsPerSecond: null,
  });
  return { before, actions, atLimits, paced, unpaced, after: machineNow() };
}
export type Capacity = Awaited<ReturnType<typeof benchCapacity>>;
