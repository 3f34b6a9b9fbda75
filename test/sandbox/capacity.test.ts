import { json, sharedHarness, type Json } from './client';

/**
 * What the sandbox offers capacity measurements (issue #26): Zoom-sized tokens, a latency on
 * every answer (one user's held until lowered), installed users made in bulk, and a count of
 * the connections its token endpoint accepted.
 */

const h = sharedHarness();

function part(token: string, i: number): Json {
  return JSON.parse(Buffer.from(token.split('.')[i] ?? '', 'base64url').toString()) as Json;
}

test('tokens are JWT-shaped and Zoom-sized, with the claims of Zoom’s example answer', async () => {
  const t = await h.client.login('ada');
  for (const token of [t.access_token, t.refresh_token]) {
    expect(token.split('.')).toHaveLength(3);
    expect(token.length).toBeGreaterThan(600);
    expect(part(token, 0)).toMatchObject({ alg: 'HS512', v: '2.0' });
  }
  expect(part(t.access_token, 1)).toMatchObject({ tokenType: 'access_token', groupNumber: 0 });
  expect(part(t.refresh_token, 1)).toMatchObject({ tokenType: 'refresh_token' });
  expect(t.access_token).not.toBe(t.refresh_token);
});

test('bench-grants: installed users with live tokens; every n-th revoked at once', async () => {
  const res = await h.client.post('/_sandbox/bench-grants', { count: 4, from: 10, revokeEvery: 2 });
  expect(res.status).toBe(200);
  const grants = (await json(res))['grants'] as Json[];
  expect(grants.map((g) => [g['email'], g['revoked']])).toEqual([
    ['bench-10@example.com', true],
    ['bench-11@example.com', false],
    ['bench-12@example.com', true],
    ['bench-13@example.com', false],
  ]);
  const answers = await Promise.all(
    grants.map(async (g) => (await h.client.refresh(g['refresh_token'] as string)).status),
  );
  expect(answers).toEqual([400, 200, 400, 200]);
});

test('a user’s latency holds their refresh until it is lowered; others answer meanwhile', async () => {
  const ada = await h.client.login('ada');
  const grace = await h.client.login('grace');
  await h.client.config({ userLatencyMs: { ada: 120_000 } });
  let adaAnswered = false;
  const held = h.client.refresh(ada.refresh_token).then((r) => {
    adaAnswered = true;
    return r.status;
  });
  expect((await h.client.refresh(grace.refresh_token)).status).toBe(200);
  expect(adaAnswered).toBe(false);
  const config = await h.client.config({ userLatencyMs: {} });
  expect(config).toMatchObject({ latencyMs: 0, userLatencyMs: {} });
  expect(await held).toBe(200);
});
