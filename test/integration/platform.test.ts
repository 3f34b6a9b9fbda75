import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { newCredentials } from '../../harness/app-env';
import {
  startAppProcess,
  startReadyApp,
  type AppProcess,
  type ReadyAppOptions,
} from '../../harness/app-process';
import { Browser, signIn } from '../../harness/browser';
import { canConnect } from '../../harness/processes';
import { startRedisServer, type RunningRedis } from '../../harness/redis';
import { startSandboxedApp, type SandboxedApp } from '../../harness/sandboxed-app';
import { selfSignedCertificate } from '../../harness/tls';

/** The production server as its own process, started by the Procfile's web line. */

const credentials = newCredentials('platform');
let tlsRedis: RunningRedis;
const running: AppProcess[] = [];

beforeAll(async () => {
  tlsRedis = await startRedisServer({ tls: selfSignedCertificate() });
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await tlsRedis.stop();
});

/**
 * What Heroku gives the process: the add-on's rediss:// URL, generated secrets, and PORT (the
 * harness's, which picks another when the one it chose was taken before the server bound it).
 */
function platformEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    REDIS_URL: tlsRedis.url,
    ZOOM_CLIENT_ID: credentials.clientId,
    ZOOM_CLIENT_SECRET: credentials.clientSecret,
    ZOOM_REDIRECT_URL: 'https://assistant-remover.example/oauth/callback',
    ZOOM_WEBHOOK_SECRET_TOKEN: credentials.webhookSecret,
    // The shape of Heroku's "generator": "secret": 64 hex characters.
    SESSION_SECRET: randomBytes(32).toString('hex'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'debug',
    TRUST_PROXY: '1', // as app.json sets it: Heroku's router is one hop
    ...extra,
  };
}

/** Started and not waited for (it is expected to stop by itself). */
async function start(env: Record<string, string>): Promise<AppProcess> {
  const p = await startAppProcess(env);
  running.push(p);
  return p;
}

/** Started and ready (`readyPath` answers 200). */
async function startReady(
  env: Record<string, string>,
  opts: Pick<ReadyAppOptions, 'readyPath'> = {},
): Promise<AppProcess> {
  const p = await startReadyApp(env, opts);
  running.push(p);
  return p;
}

test('boots by the Procfile line on TLS Redis with a self-signed certificate, behind the proxy, and stops on SIGTERM with 0', async () => {
  const p = await startReady(platformEnv());
  expect((await fetch(`${p.url}/healthz`)).status).toBe(200);

  // Plain http at the router → https.
  const plain = await fetch(`${p.url}/?a=1`, {
    headers: { 'x-forwarded-proto': 'http', host: 'evil.example' },
    redirect: 'manual',
  });
  expect(plain.status).toBe(308);
  expect(plain.headers.get('location')).toBe('https://assistant-remover.example/?a=1');

  // Over https (as the router says): a Secure, HttpOnly session cookie.
  const install = await fetch(`${p.url}/install`, {
    headers: { 'x-forwarded-proto': 'https', 'x-request-id': 'router-id-123' },
    redirect: 'manual',
  });
  expect(install.status).toBe(302);
  expect(install.headers.get('x-request-id')).toBe('router-id-123');
  // HSTS in production only (the in-process tests check its absence over plain http).
  expect(install.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
  const cookie = install.headers.getSetCookie()[0] ?? '';
  expect(cookie).toMatch(/; Secure/);
  expect(cookie).toMatch(/; HttpOnly/);

  // A request id is made when the router sends none, and names the request's log line.
  const generated = (await fetch(`${p.url}/healthz`)).headers.get('x-request-id');
  expect(generated).toMatch(/^[0-9a-f-]{36}$/);

  p.child.kill('SIGTERM');
  const started = Date.now();
  expect(await p.exited).toEqual({ code: 0, signal: null });
  expect(Date.now() - started).toBeLessThan(10_000);
  // Read once it has exited, so every line it wrote is here, however slow the pipe.
  expect(p.stdout.some((l) => l.includes('"requestId":"router-id-123"'))).toBe(true);
  expect(p.stdout.some((l) => l.includes(`"id":"${generated}"`))).toBe(true);
});

test('reached directly (TRUST_PROXY=none), a client saying X-Forwarded-Proto: https is still sent to https', async () => {
  const p = await startReady(platformEnv({ TRUST_PROXY: 'none' }));
  for (const proto of ['https', 'http, https', 'https, https']) {
    const res = await fetch(`${p.url}/install`, {
      headers: { 'x-forwarded-proto': proto },
      redirect: 'manual',
    });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('https://assistant-remover.example/install');
    expect(res.headers.getSetCookie()).toEqual([]); // no session was made
  }
  p.child.kill('SIGTERM');
  expect((await p.exited).code).toBe(0);
});

/** A raw client that sends `head` at once, then `drip` every second: what it got, when cut off. */
function trickle(
  port: number,
  head: string,
  drip: string,
): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    const dripping = setInterval(() => socket.write(drip), 1_000);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(dripping);
      resolve({ answer, ms: performance.now() - started });
    });
  });
}

test('slow clients are cut off: headers after 10 s, a body after 30 s, while others are served', async () => {
  const p = await startReady(platformEnv());
  const slowHeaders = trickle(p.port, 'GET / HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n');
  const slowBody = trickle(
    p.port,
    'POST /webhooks/zoom HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n',
    '{',
  );
  // Meanwhile, a worker is free for everyone else.
  const started = performance.now();
  expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
  expect(performance.now() - started).toBeLessThan(5_000);

  const headers = await slowHeaders;
  expect(headers.answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(headers.ms).toBeGreaterThanOrEqual(9_000); // not before its time
  expect(headers.ms).toBeLessThan(25_000); // Node's default would be a minute
  const body = await slowBody;
  expect(body.answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(body.ms).toBeGreaterThanOrEqual(29_000);
  expect(body.ms).toBeLessThan(60_000); // Node's default would be five minutes
  p.child.kill('SIGTERM');
  expect((await p.exited).code).toBe(0);
}, 120_000);

test('REDIS_TLS_REJECT_UNAUTHORIZED=1 turns verification on: the self-signed certificate is refused', async () => {
  const p = await startReady(platformEnv({ REDIS_TLS_REJECT_UNAUTHORIZED: '1' }), {
    readyPath: '/healthz',
  });
  const ready = await fetch(`${p.url}/readyz`);
  expect(ready.status).toBe(503);
  p.child.kill('SIGTERM');
  expect((await p.exited).code).toBe(0);
});

test('config errors: one line per problem naming the variable, never its value; exit 1', async () => {
  const env = platformEnv({
    TOKEN_ENCRYPTION_KEY: 'short-secret-value-xyz',
    ZOOM_REDIRECT_URL: 'not a url but secret-ish',
  });
  delete env.ZOOM_CLIENT_SECRET;
  delete env.REDIS_URL;
  const p = await start(env);
  const { code } = await p.exited;
  expect(code).toBe(1);
  const err = p.stderr.join('\n');
  for (const name of [
    'ZOOM_CLIENT_SECRET',
    'TOKEN_ENCRYPTION_KEY',
    'ZOOM_REDIRECT_URL',
    'REDIS_URL',
  ]) {
    expect(err).toContain(name);
  }
  expect(err).not.toContain('short-secret-value-xyz');
  expect(err).not.toContain('secret-ish');
  expect(err).not.toMatch(/\n\s+at /); // no stack trace
  expect(p.stderr.every((l) => l.startsWith('config error: '))).toBe(true);
});

test('a ZOOM_DOMAIN_VERIFICATION that is not ZOOM_verify_ + letters and digits stops the start with one line naming it', async () => {
  const p = await start(
    platformEnv({ ZOOM_DOMAIN_VERIFICATION: 'zoom-domain-verification=ZOOM_verify_ab12' }),
  );
  expect((await p.exited).code).toBe(1);
  expect(p.stderr).toEqual([
    'config error: ZOOM_DOMAIN_VERIFICATION: must be ZOOM_verify_ followed by letters and digits (the value Zoom gives for the meta tag)',
  ]);
});

describe('SIGTERM drain', () => {
  let run: SandboxedApp | undefined;
  let plainRedis: RunningRedis;
  afterAll(async () => {
    await run?.stop();
    await plainRedis?.stop();
  });

  test('a request in flight when SIGTERM arrives completes with 200, new connections are refused, exit 0', async () => {
    plainRedis = await startRedisServer();
    run = await startSandboxedApp({
      redisUrl: plainRedis.url,
      label: 'platform',
      // Zoom may take up to the longest wait the app allows: far beyond the 9 s held below.
      env: { LOG_LEVEL: 'warn', ZOOM_TIMEOUT_MS: '20000' },
    });
    const { appUrl, app: p, sandbox } = run;
    const browser = new Browser();
    const dash = await signIn(browser, appUrl, 'ada');
    expect(dash.text).toContain('Ada Lovelace');

    // Longer than the 8 s the drain once allowed.
    await sandbox.control.fault({ target: 'api', delayMs: 9000 });
    let answered = false;
    const inFlight = browser.get(`${appUrl}/`).finally(() => (answered = true));
    // In flight: Zoom holds the request's call.
    const deadline = Date.now() + 30_000;
    while ((await sandbox.control.stats()).faults_applied === 0) {
      if (Date.now() > deadline) throw new Error('the request never reached Zoom');
      await new Promise((r) => setTimeout(r, 20));
    }
    p.child.kill('SIGTERM');
    // Refused once the server has taken the signal (when, depends on the machine's load) ...
    while (await canConnect(p.port)) {
      if (Date.now() > deadline) throw new Error('new connections were still accepted');
      await new Promise((r) => setTimeout(r, 20));
    }
    // ... while the request in flight was still being served.
    expect(answered).toBe(false);
    const page = await inFlight;
    expect(page.status).toBe(200);
    expect(page.text).toContain('grace.assistant@example.com');
    expect(await p.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
