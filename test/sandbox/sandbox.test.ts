import { createHmac } from 'node:crypto';
import { startSandbox, type RunningSandbox } from '../../sandbox';
import {
  CLIENT_ID,
  REDIRECT_URI,
  WEBHOOK_SECRET,
  WebhookReceiver,
  basic,
  form,
  json,
  pkce,
  CLIENT_SECRET,
  type Pkce,
} from './helpers';

let sb: RunningSandbox;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = new WebhookReceiver();
  const webhookUrl = await receiver.start();
  sb = await startSandbox({
    port: 0,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    webhookUrl,
    webhookSecretToken: WEBHOOK_SECRET,
  });
});

afterAll(async () => {
  await sb.close();
  await receiver.close();
});

beforeEach(async () => {
  await post('/_sandbox/reset', {});
  receiver.status = 200;
  receiver.responseBody = '';
  receiver.respond = undefined;
});

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${sb.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function stats(): Promise<Record<string, number>> {
  return (await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as Record<string, number>;
}

interface Consent {
  location: URL;
  cookie: string;
}

async function consent(p: Pkce, extra: Record<string, string | undefined> = {}): Promise<Consent> {
  const res = await fetch(`${sb.url}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    body: form({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: 'st-123',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      user: 'ada',
      decision: 'allow',
      ...extra,
    }),
  });
  expect(res.status).toBe(302);
  const cookie = (res.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  return { location: new URL(res.headers.get('location') ?? ''), cookie };
}

function token(params: Record<string, string | undefined>, auth = basic()): Promise<Response> {
  return fetch(`${sb.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: auth },
    body: form(params),
  });
}

function exchange(code: string, verifier: string | undefined): Promise<Response> {
  return token({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
}

interface Tokens {
  access_token: string;
  refresh_token: string;
}

async function login(user = 'ada'): Promise<Tokens> {
  const p = pkce();
  const { location } = await consent(p, { user });
  const res = await exchange(location.searchParams.get('code') ?? '', p.verifier);
  expect(res.status).toBe(200);
  return (await res.json()) as Tokens;
}

function api(path: string, accessToken: string, method = 'GET', body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${accessToken}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${sb.url}/v2${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('OAuth authorization code + PKCE', () => {
  test('consent page escapes params and posts back to /oauth/authorize', async () => {
    const p = pkce();
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: '"><script>x</script>',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
    });
    const res = await fetch(`${sb.url}/oauth/authorize?${q.toString()}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>Zoom sandbox — authorize</title>');
    expect(html).toContain('name="decision" value="allow"');
    expect(html).toContain('name="user" value="ada"');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });

  test('consent → code → token, end to end', async () => {
    const p = pkce();
    const { location, cookie } = await consent(p);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(cookie).toMatch(/^zsb_user=/);
    const res = await exchange(location.searchParams.get('code') ?? '', p.verifier);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const body = await json(res);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{80,}$/) as unknown,
      token_type: 'bearer',
      refresh_token: expect.stringMatching(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{80,}$/) as unknown,
      expires_in: 3599,
      scope:
        'user:read:user user:read:list_assistants user:delete:assistant user:write:assistant user:read:list_schedulers user:delete:scheduler',
      api_url: sb.url,
    });
    const me = await api('/users/me', String(body['access_token']));
    expect(me.status).toBe(200);
    expect(await json(me)).toMatchObject({
      id: 'UeFKIF6VN92O02c6VqJL8w',
      email: 'ada@example.com',
      display_name: 'Ada Lovelace',
      type: 2,
      status: 'active',
    });
  });

  test('a code is single use', async () => {
    const p = pkce();
    const code = (await consent(p)).location.searchParams.get('code') ?? '';
    expect((await exchange(code, p.verifier)).status).toBe(200);
    const again = await exchange(code, p.verifier);
    expect(again.status).toBe(400);
    expect(await json(again)).toEqual({
      reason: 'Invalid authorization code',
      error: 'invalid_grant',
    });
  });

  test('a wrong verifier fails and spends the code', async () => {
    const p = pkce();
    const code = (await consent(p)).location.searchParams.get('code') ?? '';
    const wrong = await exchange(code, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(await json(wrong)).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange(code, p.verifier)).status).toBe(400);
    expect(
      (await exchange((await consent(p)).location.searchParams.get('code') ?? '', undefined))
        .status,
    ).toBe(400);
  });

  test('a code expires after 5 minutes', async () => {
    const p = pkce();
    const code = (await consent(p)).location.searchParams.get('code') ?? '';
    await post('/_sandbox/clock', { advanceSeconds: 301 });
    expect((await exchange(code, p.verifier)).status).toBe(400);
  });

  test('plain PKCE is the default method', async () => {
    const verifier = pkce().verifier;
    const { location } = await consent(
      { verifier, challenge: verifier },
      { code_challenge_method: undefined },
    );
    const res = await exchange(location.searchParams.get('code') ?? '', verifier);
    expect(res.status).toBe(200);
  });

  test('bad or missing client auth → 401 invalid_client', async () => {
    const bad = await token(
      { grant_type: 'refresh_token', refresh_token: 'x' },
      basic(CLIENT_ID, 'nope'),
    );
    expect(bad.status).toBe(401);
    expect(await json(bad)).toEqual({
      reason: 'Invalid client_id or client_secret',
      error: 'invalid_client',
    });
    const none = await fetch(`${sb.url}/oauth/token`, {
      method: 'POST',
      body: form({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    expect(none.status).toBe(401);
  });

  test('unsupported grant type → 400', async () => {
    const res = await token({ grant_type: 'client_credentials' });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      reason: 'Unsupported grant type',
      error: 'unsupported_grant_type',
    });
  });

  test('redirect_uri mismatch and unknown client are error pages, not redirects', async () => {
    const q = (over: Record<string, string>): string =>
      new URLSearchParams({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        ...over,
      }).toString();
    const mismatch = await fetch(
      `${sb.url}/oauth/authorize?${q({ redirect_uri: `${REDIRECT_URI}/x` })}`,
      {
        redirect: 'manual',
      },
    );
    expect(mismatch.status).toBe(400);
    const text = await mismatch.text();
    expect(text).toContain('Redirect URI mismatch');
    expect(text).toContain('4709');
    const client = await fetch(`${sb.url}/oauth/authorize?${q({ client_id: 'other' })}`);
    expect(client.status).toBe(400);
    expect(await client.text()).toContain('Invalid client_id');
    const s256 = await fetch(
      `${sb.url}/oauth/authorize?${q({ code_challenge: 'short', code_challenge_method: 'S256' })}`,
    );
    expect(s256.status).toBe(400);
  });

  test('deny → error=access_denied with the state', async () => {
    const res = await fetch(`${sb.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      body: form({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        state: 'deny-state',
        decision: 'deny',
      }),
    });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location') ?? '');
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('state')).toBe('deny-state');
    expect(loc.searchParams.get('code')).toBeNull();
  });

  test('a second authorize with the sandbox cookie skips consent; no state when none given', async () => {
    const p = pkce();
    const { cookie } = await consent(p);
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
    });
    const res = await fetch(`${sb.url}/oauth/authorize?${q.toString()}`, {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location') ?? '');
    expect(loc.searchParams.has('state')).toBe(false);
    expect((await exchange(loc.searchParams.get('code') ?? '', p.verifier)).status).toBe(200);
    expect((await stats()).authorize_auto_approved).toBe(1);
    // After the grant is revoked, consent is shown again.
    await post('/_sandbox/revoke-grant', { user: 'ada' });
    const again = await fetch(`${sb.url}/oauth/authorize?${q.toString()}`, { headers: { cookie } });
    expect(again.status).toBe(200);
  });

  test('re-authorizing invalidates the earlier tokens (4741)', async () => {
    const first = await login();
    const second = await login();
    expect((await api('/users/me', first.access_token)).status).toBe(401);
    const rt = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(rt.status).toBe(400);
    expect((await api('/users/me', second.access_token)).status).toBe(200);
  });
});

describe('refresh and revoke', () => {
  test('rotation kills the old refresh and access token', async () => {
    const t = await login();
    const res = await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as Tokens;
    expect(fresh.refresh_token).not.toBe(t.refresh_token);
    const old = await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(old.status).toBe(400);
    expect(await json(old)).toEqual({ reason: 'Invalid Token!', error: 'invalid_grant' });
    const oldApi = await api('/users/me', t.access_token);
    expect(oldApi.status).toBe(401);
    expect(await json(oldApi)).toEqual({ code: 124, message: 'Invalid access token.' });
    expect((await api('/users/me', fresh.access_token)).status).toBe(200);
    expect(await stats()).toMatchObject({
      token_refresh: 2,
      token_refresh_ok: 1,
      token_refresh_invalid_grant: 1,
    });
  });

  test('expire-tokens → "Access token is expired." while refresh still works', async () => {
    const t = await login();
    expect(await json(await post('/_sandbox/expire-tokens', { user: 'ada' }))).toEqual({
      expired: 1,
    });
    const res = await api('/users/me', t.access_token);
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ code: 124, message: 'Access token is expired.' });
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(r.status).toBe(200);
  });

  test('invalidate-access-tokens → "Invalid access token." while refresh still works', async () => {
    const t = await login();
    await post('/_sandbox/invalidate-access-tokens', {});
    const res = await api('/users/me', t.access_token);
    expect(await json(res)).toEqual({ code: 124, message: 'Invalid access token.' });
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(r.status).toBe(200);
  });

  test('the access token TTL is configurable', async () => {
    await post('/_sandbox/config', { accessTokenTtlSeconds: 60 });
    const p = pkce();
    const code = (await consent(p)).location.searchParams.get('code') ?? '';
    const body = await json(await exchange(code, p.verifier));
    expect(body['expires_in']).toBe(60);
    await post('/_sandbox/clock', { advanceSeconds: 61 });
    const res = await api('/users/me', String(body['access_token']));
    expect(await json(res)).toMatchObject({ message: 'Access token is expired.' });
  });

  test('revoke kills the grant and sends a signed app_deauthorized', async () => {
    const t = await login();
    const from = receiver.received.length;
    const res = await fetch(`${sb.url}/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: basic() },
      body: form({ token: t.access_token }),
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'success' });
    const hook = await receiver.next(from);
    expect(JSON.parse(hook.rawBody)).toMatchObject({ event: 'app_deauthorized' });
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(r.status).toBe(400);
    const unknown = await fetch(`${sb.url}/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: basic() },
      body: form({ token: 'sbx_at_unknown' }),
    });
    expect(unknown.status).toBe(200);
  });
});

describe('REST /v2', () => {
  test('a token in the query string is refused', async () => {
    const t = await login();
    const res = await fetch(`${sb.url}/v2/users/me?access_token=${t.access_token}`);
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({
      code: 124,
      message:
        'Invalid access token, this access token is not supported as query parameter string.',
    });
    expect((await stats()).api_401).toBe(1);
  });

  test('another user id → 404 1001; own id and email work', async () => {
    const t = await login();
    const other = await api('/users/yTNvvRuFTRwON-ic7INcEw', t.access_token);
    expect(other.status).toBe(404);
    expect(await json(other)).toEqual({
      code: 1001,
      message: 'User does not exist: yTNvvRuFTRwON-ic7INcEw.',
    });
    expect((await api('/users/UeFKIF6VN92O02c6VqJL8w', t.access_token)).status).toBe(200);
    expect((await api('/users/ada@example.com/assistants', t.access_token)).status).toBe(200);
  });

  test('missing scope → 400 4711', async () => {
    await post('/_sandbox/config', { grantScopes: 'user:read:user' });
    const t = await login();
    const res = await api('/users/me/assistants', t.access_token, 'DELETE');
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      code: 4711,
      message:
        'Invalid access token, does not contain scopes:[user:delete:assistant, user:delete:assistant:admin].',
    });
    const add = await api('/users/me/assistants', t.access_token, 'POST', { assistants: [] });
    expect(add.status).toBe(400);
    expect(await json(add)).toMatchObject({ code: 4711 });
  });

  test('list, delete one, delete all (204, empty body), delete none', async () => {
    const t = await login();
    const list = await api('/users/me/assistants', t.access_token);
    const body = (await list.json()) as { assistants: { id: string; email: string }[] };
    expect(body.assistants).toHaveLength(3);
    expect(body.assistants[0]).toEqual({
      id: 'uCvltJ6axW4hFfR0kAqF4g',
      email: 'grace.assistant@example.com',
      can_manage_host_private_event: false,
    });
    const one = await api('/users/me/assistants/uCvltJ6axW4hFfR0kAqF4g', t.access_token, 'DELETE');
    expect(one.status).toBe(204);
    // Not an assistant any more: 204 by default, as a third party saw (PSZoom#65) …
    const again = await api(
      '/users/me/assistants/uCvltJ6axW4hFfR0kAqF4g',
      t.access_token,
      'DELETE',
    );
    expect(again.status).toBe(204);
    // … or the spec's only listed error, on request.
    await post('/_sandbox/config', { unknownAssistantDelete: 404 });
    const gone = await api('/users/me/assistants/uCvltJ6axW4hFfR0kAqF4g', t.access_token, 'DELETE');
    expect(gone.status).toBe(404);
    expect(await json(gone)).toEqual({
      code: 1001,
      message: 'User does not exist: uCvltJ6axW4hFfR0kAqF4g.',
    });
    const all = await api('/users/me/assistants', t.access_token, 'DELETE');
    expect(all.status).toBe(204);
    expect(all.headers.get('content-type')).toBeNull();
    expect(await all.text()).toBe('');
    const snap = await json(await fetch(`${sb.url}/_sandbox/users/ada`));
    expect(snap['assistants']).toEqual([]);
    expect((await api('/users/me/assistants', t.access_token, 'DELETE')).status).toBe(204);
    expect(await stats()).toMatchObject({
      list_assistants: 1,
      delete_assistant: 3,
      delete_assistants: 2,
    });
  });

  test('POST assistants needs user:write:assistant and answers Zoom errors', async () => {
    await post('/_sandbox/config', {
      grantScopes:
        'user:read:user user:read:list_assistants user:delete:assistant user:write:assistant',
    });
    const t = await login('alan');
    const ok = await api('/users/me/assistants', t.access_token, 'POST', {
      assistants: [{ email: 'edsger@example.com' }, { id: 'UeFKIF6VN92O02c6VqJL8w' }],
    });
    expect(ok.status).toBe(201);
    const added = await json(ok);
    expect(added['ids']).toBe('gdWykqteabP4hAsOkaQQ6Q,UeFKIF6VN92O02c6VqJL8w');
    expect(added['add_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const dup = await api('/users/me/assistants', t.access_token, 'POST', {
      assistants: [{ email: 'edsger@example.com' }],
    });
    expect(await json(dup)).toEqual({
      code: 200,
      message: 'User edsger@example.com has already granted scheduling privilege.',
    });
    const self = await api('/users/me/assistants', t.access_token, 'POST', {
      assistants: [{ email: 'alan@example.com' }],
    });
    expect(await json(self)).toEqual({
      code: 200,
      message: "Can't assign scheduling privilege to yourself.",
    });
    const nobody = await api('/users/me/assistants', t.access_token, 'POST', {
      assistants: [{ email: 'nobody@example.com' }],
    });
    expect(nobody.status).toBe(400);
    expect(await json(nobody)).toEqual({
      code: 200,
      message: "Can't find user nobody@example.com.",
    });
  });

  test('unknown /v2 route → 404', async () => {
    const t = await login();
    const res = await api('/meetings', t.access_token);
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ code: 404 });
  });
});

describe('faults', () => {
  test('429 with Zoom headers, then normal again', async () => {
    const t = await login();
    await post('/_sandbox/faults', { target: 'api', status: 429, retryAfter: '2' });
    const res = await api('/users/me/assistants', t.access_token, 'DELETE');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('x-ratelimit-type')).toBe('QPS');
    expect(res.headers.get('x-ratelimit-category')).toBe('Light');
    expect(await json(res)).toEqual({
      code: 429,
      message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
    });
    expect((await api('/users/me/assistants', t.access_token, 'DELETE')).status).toBe(204);
    expect(await stats()).toMatchObject({ delete_assistants: 2, faults_applied: 1 });
  });

  test('daily limit sends an ISO date in Retry-After', async () => {
    const t = await login();
    await post('/_sandbox/faults', { target: 'api', status: 429, rateLimitType: 'Daily-limit' });
    const res = await api('/users/me', t.access_token);
    expect(res.headers.get('x-ratelimit-type')).toBe('Daily-limit');
    expect(res.headers.get('retry-after')).toMatch(/^\d{4}-\d\d-\d\dT00:00:00Z$/);
  });

  test('500 on the token endpoint with a plain body, count 2', async () => {
    const t = await login();
    await post('/_sandbox/faults', { target: 'token', status: 500, count: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('Internal Server Error');
    }
    const r = await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(r.status).toBe(200);
  });

  test('delayMs without a status only slows the answer', async () => {
    const t = await login();
    await post('/_sandbox/faults', { target: 'all', delayMs: 150 });
    const started = Date.now();
    const res = await api('/users/me', t.access_token);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await post('/_sandbox/faults', { target: 'api', status: 503 });
    expect(await json(await fetch(`${sb.url}/_sandbox/faults`))).toMatchObject({
      faults: [{ status: 503 }],
    });
    await fetch(`${sb.url}/_sandbox/faults`, { method: 'DELETE' });
    expect((await api('/users/me', t.access_token)).status).toBe(200);
  });
});

describe('counters and control', () => {
  test('counters count every request of a kind', async () => {
    const p = pkce();
    await fetch(
      `${sb.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
      }).toString()}`,
    );
    const code = (await consent(p)).location.searchParams.get('code') ?? '';
    await exchange(code, p.verifier);
    await exchange(code, p.verifier);
    await fetch(`${sb.url}/v2/users/me`);
    expect(await stats()).toMatchObject({
      authorize: 1,
      consent_allow: 1,
      consent_deny: 0,
      token_authorization_code: 2,
      token_authorization_code_ok: 1,
      users_me: 1,
      api_401: 1,
    });
    await post('/_sandbox/reset', {});
    expect((await stats()).authorize).toBe(0);
  });

  test('control API adds assistants and reports the grant', async () => {
    const add = await post('/_sandbox/users/alan/assistants', {
      emails: ['new.person@example.com'],
    });
    expect(add.status).toBe(200);
    const snap = await json(await fetch(`${sb.url}/_sandbox/users/aE0A1EffNQkrQdnnV0l1vw`));
    const assistants = snap['assistants'] as { id: string }[];
    expect(assistants).toHaveLength(1);
    expect(assistants[0]?.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(snap['grant']).toBeNull();
    const t = await login('alan');
    const after = await json(await fetch(`${sb.url}/_sandbox/users/alan`));
    expect(after['grant']).toMatchObject({ status: 'active', access_token: t.access_token });
    expect((await post('/_sandbox/users/nobody/assistants', { emails: ['a@b.c'] })).status).toBe(
      404,
    );
  });

  test('two sandboxes are independent', async () => {
    const other = await startSandbox({
      clientId: 'other',
      clientSecret: 'other-secret',
      redirectUris: [REDIRECT_URI],
    });
    try {
      await fetch(`${other.url}/_sandbox/users/ada/assistants`);
      await post('/_sandbox/users/ada/assistants', { emails: ['x@example.com'] });
      const mine = await json(await fetch(`${sb.url}/_sandbox/users/ada`));
      const theirs = await json(await fetch(`${other.url}/_sandbox/users/ada`));
      expect((mine['assistants'] as unknown[]).length).toBe(4);
      expect((theirs['assistants'] as unknown[]).length).toBe(3);
    } finally {
      await other.close();
    }
  });
});

describe('webhooks', () => {
  test('remove-app revokes and posts a correctly signed app_deauthorized', async () => {
    const t = await login();
    const from = receiver.received.length;
    const res = await post('/_sandbox/remove-app', { user: 'ada' });
    expect(await json(res)).toMatchObject({ revoked: true, delivered: true, status: 200 });
    const hook = receiver.received[from];
    if (!hook) throw new Error('no webhook received');
    const ts = String(hook.headers['x-zm-request-timestamp']);
    expect(ts).toMatch(/^\d{10}$/);
    const expected = `v0=${createHmac('sha256', WEBHOOK_SECRET).update(`v0:${ts}:${hook.rawBody}`).digest('hex')}`;
    expect(hook.headers['x-zm-signature']).toBe(expected);
    expect(hook.headers['user-agent']).toBe('Zoom Marketplace/1.0a');
    expect(hook.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(hook.headers['clientid']).toBe(CLIENT_ID);
    expect(hook.headers['x-zm-request-id']).toBeTruthy();
    const body = JSON.parse(hook.rawBody) as Record<string, unknown>;
    expect(body).toEqual({
      event: 'app_deauthorized',
      event_ts: expect.any(Number) as unknown,
      payload: {
        account_id: 'SawHKrbcLKZeV0bcIhntNw',
        client_id: CLIENT_ID,
        deauthorization_time: expect.stringMatching(/^\d{4}-.*Z$/) as unknown,
        signature: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
        user_data_retention: null,
        user_id: 'UeFKIF6VN92O02c6VqJL8w',
      },
    });
    expect((await api('/users/me', t.access_token)).status).toBe(401);
    expect((await post('/_sandbox/remove-app', { user: 'ada' })).status).toBe(409);
    expect(await stats()).toMatchObject({ webhooks_sent: 1, webhooks_delivered: 1 });
  });

  test('webhooks/send with sign=bad, a stale timestamp and a raw body', async () => {
    receiver.status = 401;
    receiver.responseBody = '{"error":"bad signature"}';
    const from = receiver.received.length;
    const res = await post('/_sandbox/webhooks/send', {
      event: 'app_deauthorized',
      payload: { user_id: 'x' },
      sign: 'bad',
    });
    expect(await json(res)).toMatchObject({ status: 401, body: '{"error":"bad signature"}' });
    const bad = receiver.received[from];
    const ts = String(bad?.headers['x-zm-request-timestamp']);
    const valid = `v0=${createHmac('sha256', WEBHOOK_SECRET)
      .update(`v0:${ts}:${bad?.rawBody ?? ''}`)
      .digest('hex')}`;
    expect(bad?.headers['x-zm-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(bad?.headers['x-zm-signature']).not.toBe(valid);

    receiver.status = 200;
    await post('/_sandbox/webhooks/send', { rawBody: '{"a": 1}', timestamp: 1000, sign: 'valid' });
    const raw = receiver.received[from + 1];
    expect(raw?.rawBody).toBe('{"a": 1}');
    expect(raw?.headers['x-zm-request-timestamp']).toBe('1000');
    expect(raw?.headers['x-zm-signature']).toBe(
      `v0=${createHmac('sha256', WEBHOOK_SECRET).update('v0:1000:{"a": 1}').digest('hex')}`,
    );
    await post('/_sandbox/webhooks/send', { event: 'x', payload: {}, sign: 'none' });
    expect(receiver.received[from + 2]?.headers['x-zm-signature']).toBeUndefined();
  });

  test('url-validation checks the CRC answer', async () => {
    const res = await post('/_sandbox/webhooks/url-validation', {});
    const body = await json(res);
    // The stand-in answers an empty body, so the check fails and says why.
    expect(body).toMatchObject({ ok: false, status: 200 });
    const expected = body['expected'] as { plainToken: string; encryptedToken: string };
    expect(expected.encryptedToken).toBe(
      createHmac('sha256', WEBHOOK_SECRET).update(expected.plainToken).digest('hex'),
    );
    receiver.respond = (hook) => {
      const plainToken = (JSON.parse(hook.rawBody) as { payload: { plainToken: string } }).payload
        .plainToken;
      const encryptedToken = createHmac('sha256', WEBHOOK_SECRET).update(plainToken).digest('hex');
      return { status: 200, body: JSON.stringify({ plainToken, encryptedToken }) };
    };
    const good = await json(await post('/_sandbox/webhooks/url-validation', {}));
    expect(good).toMatchObject({ ok: true, status: 200 });
    expect(good['got']).toEqual(good['expected']);
  });
});

describe('home page', () => {
  test('shows the signed-in user and removes the app', async () => {
    const p = pkce();
    const { cookie } = await consent(p);
    const home = await fetch(`${sb.url}/`, { headers: { cookie } });
    const html = await home.text();
    expect(html).toContain('Signed in as <strong>Ada Lovelace</strong>');
    expect(html).toContain('action="/apps/remove"');
    const from = receiver.received.length;
    const removed = await fetch(`${sb.url}/apps/remove`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie },
      body: form({ client_id: CLIENT_ID }),
    });
    expect(removed.status).toBe(303);
    expect(receiver.received.length).toBe(from + 1);
    const snap = await json(await fetch(`${sb.url}/_sandbox/users/ada`));
    expect(snap['grant']).toMatchObject({ status: 'revoked' });
  });
});
