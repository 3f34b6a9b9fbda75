import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFUSALS, REFUSAL_NAMES } from '../../sandbox/refusals';
import { json, sharedHarness } from './client';

const h = sharedHarness();

describe('named refresh refusals as faults', () => {
  test.each(REFUSAL_NAMES)('%s: the shape once, then refresh works again', async (name) => {
    const t = await h.client.login('ada');
    const queued = await h.client.post('/_sandbox/faults', { target: 'token', refusal: name });
    expect(queued.status).toBe(200);
    const refused = await h.client.refresh(t.refresh_token);
    expect(refused.status).toBe(REFUSALS[name].status);
    expect(refused.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(await json(refused)).toEqual(REFUSALS[name].body);
    // The fault answered before the grant was looked at: the refresh token still works.
    expect((await h.client.refresh(t.refresh_token)).status).toBe(200);
  });

  test('the shapes Zoom publishes, spelled out', () => {
    expect(REFUSALS.invalid_grant).toMatchObject({
      status: 400,
      body: { reason: 'Invalid Token!', error: 'invalid_grant' },
    });
    expect(REFUSALS.invalid_grant_bare.body).toEqual({ error: 'invalid_grant' });
    expect(REFUSALS.invalid_token_request.body).toEqual({
      reason: 'Invalid Token!',
      error: 'invalid_request',
    });
    expect(REFUSALS.owner_gone.body).toEqual({
      reason: 'The owner of the token does not exist.',
      error: 'invalid_request',
      code: 4735,
    });
    expect(REFUSALS.disabled_by_admin.body['code']).toBe(4738);
    expect(REFUSALS.tolerance.body['code']).toBe(4740);
    expect(REFUSALS.revoked.body['code']).toBe(4741);
    expect(REFUSALS.invalid_client).toMatchObject({
      status: 401,
      body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' },
    });
    expect(REFUSALS.internal).toMatchObject({
      status: 400,
      body: { reason: 'Internal Error', error: 'invalid_request' },
      deadGrant: false,
    });
  });

  test('count and delay apply to a refusal', async () => {
    const t = await h.client.login('ada');
    await h.client.post('/_sandbox/faults', {
      target: 'token',
      refusal: 'owner_gone',
      count: 2,
      delayMs: 50,
    });
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const res = await h.client.refresh(t.refresh_token);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(await json(res)).toMatchObject({ code: 4735 });
    }
    expect((await h.client.refresh(t.refresh_token)).status).toBe(200);
  });

  test('a refusal needs target token, and no status or body of its own', async () => {
    const bad = [
      { target: 'api', refusal: 'invalid_grant' },
      { target: 'all', refusal: 'invalid_grant' },
      { target: 'token', refusal: 'invalid_grant', status: 500 },
      { target: 'token', refusal: 'invalid_grant', body: { a: 1 } },
      { target: 'token', refusal: 'no_such_shape' },
    ];
    for (const body of bad) {
      expect((await h.client.post('/_sandbox/faults', body)).status).toBe(400);
    }
  });
});

describe('durable refusals: revoke-grant {answer}', () => {
  test('every later refresh of the grant answers the chosen shape', async () => {
    const t = await h.client.login('ada');
    const res = await h.client.post('/_sandbox/revoke-grant', {
      user: 'ada',
      answer: 'disabled_by_admin',
    });
    expect(await json(res)).toEqual({ revoked: true, answer: 'disabled_by_admin' });
    for (let i = 0; i < 3; i++) {
      const refused = await h.client.refresh(t.refresh_token);
      expect(refused.status).toBe(400);
      expect(await json(refused)).toEqual({
        reason: 'The token is disabled by admin.',
        error: 'invalid_request',
        code: 4738,
      });
    }
    expect((await h.client.api('/users/me', t.access_token)).status).toBe(401);
    const snap = await h.client.get('/_sandbox/users/ada');
    expect(snap['grant']).toMatchObject({ status: 'revoked', refresh_answer: 'disabled_by_admin' });
    expect((await h.client.stats())['token_refresh_refused']).toBe(3);
  });

  test('a 401 shape works durably too; a re-install gets working tokens', async () => {
    const old = await h.client.login('grace');
    await h.client.post('/_sandbox/revoke-grant', { user: 'grace', answer: 'invalid_client' });
    const refused = await h.client.refresh(old.refresh_token);
    expect(refused.status).toBe(401);
    const fresh = await h.client.login('grace');
    expect((await h.client.refresh(fresh.refresh_token)).status).toBe(200);
    // The old refresh token keeps its answer.
    expect((await h.client.refresh(old.refresh_token)).status).toBe(401);
  });

  test('without answer: revoked silently, refresh answers invalid_grant (as before)', async () => {
    const t = await h.client.login('ada');
    expect(await json(await h.client.post('/_sandbox/revoke-grant', { user: 'ada' }))).toEqual({
      revoked: true,
      answer: null,
    });
    const refused = await h.client.refresh(t.refresh_token);
    expect(await json(refused)).toEqual({ reason: 'Invalid Token!', error: 'invalid_grant' });
  });

  test('no active grant: nothing revoked, no answer set; unknown answer names are refused', async () => {
    expect(
      await json(
        await h.client.post('/_sandbox/revoke-grant', { user: 'alan', answer: 'revoked' }),
      ),
    ).toEqual({ revoked: false, answer: null });
    const bad = await h.client.post('/_sandbox/revoke-grant', { user: 'alan', answer: 'nope' });
    expect(bad.status).toBe(400);
  });

  test('reset forgets durable answers', async () => {
    const t = await h.client.login('ada');
    await h.client.post('/_sandbox/revoke-grant', { user: 'ada', answer: 'tolerance' });
    await h.client.post('/_sandbox/reset');
    expect(await json(await h.client.refresh(t.refresh_token))).toEqual({
      reason: 'Invalid Token!',
      error: 'invalid_grant',
    });
  });
});

describe('the sandbox README', () => {
  const readme = readFileSync(join(__dirname, '../../sandbox/README.md'), 'utf8');

  test('lists every refusal shape', () => {
    for (const name of REFUSAL_NAMES) expect(readme).toContain(`| \`${name}\``);
  });

  test('stands alone: no machine paths', () => {
    expect(readme).not.toMatch(/\/work\/|zoom-api\.md/);
  });
});
