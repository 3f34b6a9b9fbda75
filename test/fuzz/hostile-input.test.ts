import v8 from 'node:v8';
import vm from 'node:vm';
import { SEED_USERS } from '../../sandbox/seed';
import { FuzzClient, type FuzzRequest, type Outcome } from './client';
import { fuzzRoutes, generate, routeOf, type FuzzContext } from './generators';
import { routeTable } from './route-table';
import { Rng } from './prng';
import { Browser, type Page, signIn, csrfOf } from '../../harness/browser';
import { startStack, type Stack } from '../../harness/stack';

/**
 * Thousands of malformed requests from a fixed seed, on every route, signed out and signed in
 * (Ada's real session and CSRF token, mutated). Whatever comes in, the app answers with a
 * 2xx/3xx/4xx (or Node's parser closes the connection), stays healthy, keeps Ada signed in,
 * writes nothing to Redis but sessions and rate-limit counters, and stays within its memory.
 */

const SEED = 0x5eedf022;
const REQUESTS = 5_200;
const LIMITED_REQUESTS = 400;
const CONCURRENCY = 8;
const MAX_RSS_GROWTH_MB = 150;
const UNLIMITED = '1000000';
/** A full collection every so many requests, so that RSS measures what is kept, not garbage. */
const GC_EVERY = 1_000;

const ADA = SEED_USERS.find((u) => u.key === 'ada');
if (!ADA) throw new Error('no seed user ada');

interface Tally {
  /** Requests that reached the server. */
  total: number;
  /** Requests that could not connect (not counted in total). */
  unreachable: number;
  byClass: Record<string, number>;
  byStatus: Record<string, number>;
  byRoute: Record<string, number>;
  /** Every 5xx, with the request that caused it. */
  serverErrors: string[];
  /** Complete requests that got no answer at all. */
  hung: string[];
  /** Secrets, source files or stack traces in an answer. */
  leaks: string[];
  /** A header planted through CRLF in a request showing up in an answer. */
  injected: string[];
  /** Answers from the webhook route that are not JSON (Zoom gets JSON, never a page). */
  nonJsonWebhook: string[];
  /** 302s to Zoom's authorize page: the only answers that may create a session. */
  installRedirects: number;
}

function newTally(): Tally {
  return {
    total: 0,
    unreachable: 0,
    byClass: {},
    byStatus: {},
    byRoute: {},
    serverErrors: [],
    hung: [],
    leaks: [],
    injected: [],
    nonJsonWebhook: [],
    installRedirects: 0,
  };
}

const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

function describeRequest(req: FuzzRequest): string {
  const shown = (s: string): string =>
    JSON.stringify(s.length > 160 ? `${s.slice(0, 160)}…(${s.length})` : s);
  if (req.rawBytes) return `[wire] ${shown(req.rawBytes.toString('latin1'))}`;
  const headers = req.headers.map(([n, v]) => `${shown(n)}: ${shown(v)}`).join(', ');
  const body = req.body ? ` body=${shown(req.body.toString('latin1'))}` : '';
  return `[${req.label}] ${shown(req.method)} ${shown(req.target)} {${headers}}${body}${req.cutShort ? ' (cut short)' : ''}`;
}

function header(out: Outcome & { kind: 'answered' }, name: string): string | undefined {
  return out.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

function leakMarkers(stack: Stack): string[] {
  return [
    stack.env.SESSION_SECRET ?? '',
    stack.env.TOKEN_ENCRYPTION_KEY ?? '',
    stack.credentials.clientSecret,
    stack.credentials.webhookSecret,
    '"devDependencies"', // package.json
    "from 'express'", // TypeScript sources
    "<% layout('./layout') %>", // templates
    'repositoryformatversion', // .git/config
  ].filter(Boolean);
}

const STACK_TRACE = /\n\s+at [^\n]+:\d+:\d+/;

function record(t: Tally, stack: Stack, ctx: FuzzContext, req: FuzzRequest, out: Outcome): void {
  if (out.kind === 'unreachable') {
    t.unreachable++;
    return;
  }
  t.total++;
  bump(t.byRoute, routeOf(req, ctx.routes));
  if (out.kind !== 'answered') {
    bump(t.byClass, `${out.kind} (${out.transport})`);
    if (out.kind === 'hung') t.hung.push(describeRequest(req));
    return;
  }
  bump(t.byClass, `${Math.floor(out.status / 100)}xx`);
  bump(t.byStatus, String(out.status));
  for (const s of out.statuses) {
    // Readiness answering 503 when Redis takes over its second (a loaded machine) is its job.
    if (s === 503 && routeOf(req, ctx.routes) === '/readyz') continue;
    if (s >= 500) t.serverErrors.push(`${s} ← ${describeRequest(req)}`);
  }
  const location = header(out, 'location') ?? '';
  if (out.status === 302 && location.startsWith(`${stack.sandbox.url}/oauth/authorize`)) {
    t.installRedirects++;
  }
  const text = out.body.toString('latin1');
  for (const marker of leakMarkers(stack)) {
    if (text.includes(marker)) t.leaks.push(`${JSON.stringify(marker)} ← ${describeRequest(req)}`);
  }
  if (STACK_TRACE.test(text)) t.leaks.push(`stack trace ← ${describeRequest(req)}`);
  const planted = out.headers.some(
    ([n, v]) =>
      n.toLowerCase().includes('fuzzinjected') ||
      (n.toLowerCase() === 'set-cookie' && v.includes('fuzzinjected')),
  );
  if (planted) t.injected.push(describeRequest(req));
  const isWebhookPost =
    req.method === 'POST' && !req.rawBytes && /^\/webhooks\/zoom\/?(\?|$)/i.test(req.target);
  const type = header(out, 'content-type');
  if (isWebhookPost && type !== undefined && !type.startsWith('application/json')) {
    t.nonJsonWebhook.push(`${out.status} ${type} ← ${describeRequest(req)}`);
  }
}

/** Sends `count` generated requests, CONCURRENCY at a time; generation order is fixed. */
async function runFuzz(stack: Stack, ctx: FuzzContext, rng: Rng, count: number): Promise<Tally> {
  const tally = newTally();
  const client = new FuzzClient(ctx.host, ctx.port);
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < count) {
      if (++issued % GC_EVERY === 0) collectGarbage();
      const req = generate(rng, ctx);
      record(tally, stack, ctx, req, await client.send(req));
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    client.close();
  }
  return tally;
}

/**
 * Pending sign-ins to spend on the callback: `sessions` fresh sessions (and Ada's) each given
 * `perSession` states by GET /install. Made before the Redis snapshot.
 */
async function pendingSignIns(
  stack: Stack,
  adaCookie: string,
  sessions: number,
  perSession: number,
): Promise<FuzzContext['pending']> {
  const out: FuzzContext['pending'][number][] = [];
  for (let s = 0; s <= sessions; s++) {
    let cookie = s === 0 ? `zar.sid=${adaCookie}` : undefined;
    for (let i = 0; i < perSession; i++) {
      const res = await fetch(`${stack.app.url}/install`, {
        redirect: 'manual',
        headers: cookie ? { cookie } : {},
      });
      cookie ??= res.headers.getSetCookie()[0]?.split(';')[0];
      const state = new URL(res.headers.get('location') ?? '').searchParams.get('state');
      if (!cookie || !state) throw new Error(`GET /install answered ${res.status}`);
      out.push({ cookie, state });
    }
  }
  return out;
}

function contextFor(stack: Stack, browser: Browser, dashboard: Page): FuzzContext {
  const adaCookie = browser.cookie(stack.app.url, 'zar.sid');
  if (!adaCookie || !ADA) throw new Error('not signed in');
  const url = new URL(stack.app.url);
  return {
    host: url.hostname,
    port: Number(url.port),
    adaCookie,
    csrf: csrfOf(dashboard),
    adaId: ADA.id,
    sampleIds: [...ADA.assistants, ...ADA.schedulers].map((p) => p.id),
    routes: fuzzRoutes(routeTable(stack.app.handler)),
    sessionSecret: stack.env.SESSION_SECRET ?? '',
    webhookSecret: stack.credentials.webhookSecret,
    clientId: stack.credentials.clientId,
    pending: [],
  };
}

/** Error-level log lines: every 5xx and every unhandled error is logged at that level. */
function errorLogLines(stack: Stack): string[] {
  return stack.logLines.filter((l) => {
    try {
      const line = JSON.parse(l) as {
        level?: number;
        req?: { path?: string };
        res?: { statusCode?: number };
      };
      // Readiness saying "not ready" when Redis took over its second: its job (see record()).
      if (line.req?.path === '/readyz' && line.res?.statusCode === 503) return false;
      return (line.level ?? 0) >= 50;
    } catch {
      return true;
    }
  });
}

/**
 * A full garbage collection: global.gc when node runs with --expose-gc, else the way
 * jest's own leak detector gets one.
 */
const collectGarbage: () => void =
  (globalThis as { gc?: () => void }).gc ??
  ((): (() => void) => {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  })();

function isSessionOrCounter(stack: Stack, key: string): boolean {
  return key.startsWith(`${stack.prefix}sess:`) || key.startsWith(`${stack.prefix}rl:`);
}

/** Every key but sessions and rate-limit counters, with its serialized value (DUMP). */
async function durableState(stack: Stack): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  for (const key of (await stack.keys()).sort()) {
    if (isSessionOrCounter(stack, key)) continue;
    state.set(key, (await stack.admin.dumpBuffer(key))?.toString('base64') ?? '(gone)');
  }
  return state;
}

function rssMb(): number {
  collectGarbage();
  return process.memoryUsage().rss / (1024 * 1024);
}

/** The invariants of every run: no 5xx, no hang, no leak, no injected header. */
function expectNoServerFault(tally: Tally, stack: Stack): void {
  const first = (list: string[]): { count: number; first: string[] } => ({
    count: list.length,
    first: list.slice(0, 5),
  });
  const none = { count: 0, first: [] };
  expect(first(tally.serverErrors)).toEqual(none);
  expect(first(tally.hung)).toEqual(none);
  expect(first(tally.leaks)).toEqual(none);
  expect(first(tally.injected)).toEqual(none);
  expect(first(tally.nonJsonWebhook)).toEqual(none);
  expect(first(errorLogLines(stack))).toEqual(none);
}

let stack: Stack;
let limited: Stack;

/**
 * The app, the sandbox and this client share one process here, so on a busy 2-core machine a
 * Redis reply can wait behind thousands of queued requests for longer than the production
 * command timeout; the fuzz looks for bugs, not for that (redis-outage.test.ts covers it).
 */
const PATIENT_REDIS = { REDIS_COMMAND_TIMEOUT_MS: '15000' };

beforeAll(async () => {
  stack = await startStack({
    logLevel: 'error',
    env: {
      ...PATIENT_REDIS,
      RATE_LIMIT_INSTALL_PER_10_MIN: UNLIMITED,
      RATE_LIMIT_ACTIONS_PER_MIN: UNLIMITED,
      RATE_LIMIT_WEBHOOK_PER_MIN: UNLIMITED,
    },
  });
  limited = await startStack({
    logLevel: 'error',
    env: {
      ...PATIENT_REDIS,
      RATE_LIMIT_INSTALL_PER_10_MIN: '10',
      RATE_LIMIT_ACTIONS_PER_MIN: '5',
      RATE_LIMIT_WEBHOOK_PER_MIN: '20',
    },
  });
});

afterAll(async () => {
  await stack?.close();
  await limited?.close();
});

test(`${REQUESTS} hostile requests from a fixed seed: no 5xx, healthy after, only sessions and counters written`, async () => {
  await stack.reset();
  await stack.control.clearFaults();
  const browser = new Browser();
  const dashboard = await signIn(browser, stack.app.url, 'ada');
  expect(dashboard.text).toContain('Ada Lovelace');
  const ctx = contextFor(stack, browser, dashboard);
  ctx.pending.push(...(await pendingSignIns(stack, ctx.adaCookie, 30, 5)));

  const tokensKey = stack.keyNames.grantRecord(ctx.adaId);
  const keysBefore = new Set(await stack.keys());
  const durableBefore = await durableState(stack);
  expect(durableBefore.has(tokensKey)).toBe(true);
  const rssBefore = rssMb();
  const started = performance.now();

  const tally = await runFuzz(stack, ctx, new Rng(SEED), REQUESTS);

  const seconds = (performance.now() - started) / 1000;
  const rssGrowth = rssMb() - rssBefore;
  const zoom = await stack.control.stats();
  console.log(
    [
      `hostile-input fuzz: ${tally.total} requests reached the app in ${seconds.toFixed(1)} s` +
        ` (seed ${SEED.toString(16)}, ${tally.unreachable} could not connect)`,
      `  by class: ${JSON.stringify(tally.byClass)}`,
      `  by status: ${JSON.stringify(tally.byStatus)}`,
      `  by route: ${JSON.stringify(tally.byRoute)}`,
      `  install redirects: ${tally.installRedirects}, RSS growth: ${rssGrowth.toFixed(1)} MB`,
      `  reached Zoom: ${JSON.stringify(zoom)}`,
    ].join('\n'),
  );

  expect(tally.total).toBeGreaterThanOrEqual(5_000);
  // Every route the app serves, as its router lists them: a new route is fuzzed unasked.
  const { routes, mounts } = ctx.routes.table;
  expect(routes.map((r) => r.path)).toEqual(
    expect.arrayContaining(['/', '/history/:id/undo', '/schedulers/:id/step-down']),
  );
  for (const route of [...new Set(routes.map((r) => r.path)), ...mounts, 'unknown', 'wire']) {
    expect({ route, hits: (tally.byRoute[route] ?? 0) >= 20 }).toEqual({ route, hits: true });
  }
  expectNoServerFault(tally, stack);

  // Alive and healthy, and Ada is still signed in with her original cookie.
  expect((await fetch(`${stack.app.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${stack.app.url}/readyz`)).status).toBe(200);
  expect(browser.cookie(stack.app.url, 'zar.sid')).toBe(ctx.adaCookie);
  const after = await browser.get(`${stack.app.url}/`);
  expect(after.status).toBe(200);
  expect(after.text).toContain('Ada Lovelace');

  // Redis: new keys are sessions and rate-limit counters only, no other user's token record
  // appeared, and every other key (Ada's token record, her session index) is unchanged; the
  // token record may only have been rewritten by a refresh.
  // A fuzzed form that carried Ada's own CSRF token is a real removal: its history entry
  // is the one durable key allowed to appear, and only when Zoom saw that removal (the
  // dashboard's lists seen live there too, so it may already have been there).
  const historyKey = stack.keyNames.history(ctx.adaId);
  const removalsAtZoom = (zoom.delete_assistants ?? 0) + (zoom.delete_assistant ?? 0);
  const keysAfter = await stack.keys();
  const newKeys = keysAfter.filter((k) => !keysBefore.has(k));
  expect(newKeys.filter((k) => !isSessionOrCounter(stack, k))).toEqual(
    removalsAtZoom > 0 && !keysBefore.has(historyKey) ? [historyKey] : [],
  );
  expect(keysAfter.filter((k) => k.startsWith(`${stack.prefix}tokens:`))).toEqual([tokensKey]);
  const durableAfter = await durableState(stack);
  durableAfter.delete(historyKey);
  durableBefore.delete(historyKey);
  if (stack.app.refreshGrants > 0) durableAfter.set(tokensKey, durableBefore.get(tokensKey) ?? '');
  expect(durableAfter).toEqual(durableBefore);

  // Sessions only from /install answers (the one place a signed-out visitor gets one).
  const newSessions = newKeys.filter((k) => k.startsWith(`${stack.prefix}sess:`)).length;
  expect(newSessions).toBeLessThanOrEqual(tally.installRedirects);

  expect(rssGrowth).toBeLessThan(MAX_RSS_GROWTH_MB);
}, 240_000);

test('a slice at tight rate limits: 429 is an answer, never a 5xx', async () => {
  await limited.reset();
  await limited.control.clearFaults();
  const browser = new Browser();
  const dashboard = await signIn(browser, limited.app.url, 'ada');
  const ctx = contextFor(limited, browser, dashboard);

  const tally = await runFuzz(limited, ctx, new Rng(SEED ^ 0x1234), LIMITED_REQUESTS);
  console.log(
    `tight-limits fuzz: ${tally.total} requests, by status ${JSON.stringify(tally.byStatus)}`,
  );

  expect(tally.byStatus['429'] ?? 0).toBeGreaterThan(0);
  expectNoServerFault(tally, limited);
  expect((await fetch(`${limited.app.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${limited.app.url}/readyz`)).status).toBe(200);
}, 120_000);
