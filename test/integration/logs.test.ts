import { Browser, callbackUrlFor, csrfOf } from '../../harness/browser';
import { formTo } from '../../harness/forms';
import { startStack, type Stack } from '../../harness/stack';
import { makeTokenStale } from '../../harness/grant-records';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ logLevel: 'debug' });
});
afterAll(async () => {
  await stack.close();
});

interface Grant {
  grant: { access_token: string; refresh_token: string };
}

test('a full install, a refresh and a clear, logged at debug: no token, secret, code or state in any line', async () => {
  const secrets = new Set<string>([
    stack.credentials.clientSecret,
    stack.credentials.webhookSecret,
    stack.env.SESSION_SECRET ?? '',
    stack.env.TOKEN_ENCRYPTION_KEY ?? '',
  ]);
  const browser = new Browser();
  const callback = await callbackUrlFor(browser, stack.app.url, 'ada');
  secrets.add(callback.searchParams.get('state') ?? 'missing-state');
  secrets.add(callback.searchParams.get('code') ?? 'missing-code');
  const dash = await browser.get(callback.toString());
  expect(dash.text).toContain('Ada Lovelace');
  const first = await stack.control.get<Grant>('/users/ada');
  secrets.add(first.grant.access_token).add(first.grant.refresh_token);
  secrets.add(decodeURIComponent(browser.cookie(stack.app.url, 'zar.sid') ?? 'missing-cookie'));

  // A refresh.
  await makeTokenStale(stack.tokenStore, await stack.control.userId('ada'), -1000);
  const refreshed = await browser.get(`${stack.app.url}/`);
  expect(refreshed.status).toBe(200);
  const second = await stack.control.get<Grant>('/users/ada');
  expect(second.grant.refresh_token).not.toBe(first.grant.refresh_token);
  secrets.add(second.grant.access_token).add(second.grant.refresh_token);
  secrets.add(csrfOf(refreshed));

  // A clear.
  const cleared = await browser.postForm(`${stack.app.url}/assistants/clear`, {
    ...formTo(refreshed, '/assistants/clear').fields,
    confirm: 'yes',
  });
  expect(cleared.text).toContain(
    'Removed grace.assistant@example.com, alan.assistant@example.com and katherine.assistant@example.com.',
  );

  const lines = stack.logLines;
  expect(lines.length).toBeGreaterThan(8);
  for (const line of lines) {
    expect(() => JSON.parse(line) as unknown).not.toThrow();
    for (const s of secrets) expect(line).not.toContain(s);
    expect(line).not.toMatch(/eyJ[\w-]+\.eyJ/);
  }
  // The events are there.
  for (const msg of ['signed in', 'token refreshed', 'action done']) {
    expect(lines.some((l) => l.includes(`"msg":"${msg}"`))).toBe(true);
  }
});
