import {
  AUTHORIZATION_LIFETIME_MS,
  MAX_PENDING,
  beginAuthorization,
  checkCallback,
  newState,
  sameSecret,
  type CallbackCheck,
  type PendingAuthorization,
} from '../../src/zoom/authorization';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const NOW = 1_800_000_000_000;

function pending(state: string, expiresAt = NOW + 60_000): PendingAuthorization {
  return { state, codeVerifier: `verifier-of-${state}`, expiresAt };
}

describe('checkCallback: query + pending round trips → what the callback is', () => {
  const list = [pending('s1'), pending('s2'), pending('old', NOW - 1)];
  // [label, query, expected check kind, states left pending]
  const table: [string, Record<string, unknown>, CallbackCheck['kind'], string[]][] = [
    ['a good callback', { code: 'c', state: 's2' }, 'ok', ['s1']],
    ['consent denied, with our state', { error: 'access_denied', state: 's1' }, 'denied', ['s2']],
    ['consent denied, no state', { error: 'access_denied' }, 'denied', ['s1', 's2']],
    ['another error from Zoom', { error: 'server_error', state: 's1' }, 'zoom_error', ['s2']],
    ['an error and a code', { error: 'access_denied', code: 'c', state: 's1' }, 'denied', ['s2']],
    ['a repeated code', { code: ['a', 'b'], state: 's1' }, 'malformed', ['s1', 's2']],
    ['a state that is an object', { code: 'c', state: { x: 1 } }, 'malformed', ['s1', 's2']],
    ['a huge code', { code: 'x'.repeat(2049), state: 's1' }, 'malformed', ['s1', 's2']],
    ['no code', { state: 's1' }, 'no_code', ['s2']],
    ['an empty code', { code: '', state: 's1' }, 'no_code', ['s2']],
    ['a Marketplace "Add": code, no state', { code: 'c' }, 'no_state', ['s1', 's2']],
    ['an empty state', { code: 'c', state: '' }, 'no_state', ['s1', 's2']],
    ['a state we never issued', { code: 'c', state: 'forged' }, 'expired', ['s1', 's2']],
    ['a state past its lifetime', { code: 'c', state: 'old' }, 'expired', ['s1', 's2']],
    ['a state differing in case', { code: 'c', state: 'S1' }, 'expired', ['s1', 's2']],
  ];

  test.each(table)('%s', (_label, query, kind, left) => {
    const { check, pending: rest } = checkCallback(query, list, NOW);
    expect(check.kind).toBe(kind);
    expect(rest.map((p) => p.state)).toEqual(left);
  });

  test('ok carries the code and the verifier of that round trip', () => {
    expect(checkCallback({ code: 'the-code', state: 's2' }, list, NOW).check).toEqual({
      kind: 'ok',
      code: 'the-code',
      codeVerifier: 'verifier-of-s2',
    });
  });

  test('a replay finds its state spent', () => {
    const first = checkCallback({ code: 'c', state: 's1' }, list, NOW);
    expect(first.check.kind).toBe('ok');
    expect(checkCallback({ code: 'c', state: 's1' }, first.pending, NOW).check.kind).toBe(
      'expired',
    );
  });

  test('no pending round trips at all', () => {
    expect(checkCallback({ code: 'c', state: 's1' }, undefined, NOW).check.kind).toBe('expired');
  });
});

describe('beginAuthorization', () => {
  test('a fresh state and verifier, living 10 minutes, added to the live ones', () => {
    const { started, pending: list } = beginAuthorization(
      [pending('s1'), pending('gone', NOW)],
      NOW,
    );
    expect(started.state).toMatch(BASE64URL);
    expect(started.codeVerifier).toHaveLength(43);
    expect(started.expiresAt).toBe(NOW + AUTHORIZATION_LIFETIME_MS);
    expect(list.map((p) => p.state)).toEqual(['s1', started.state]);
  });

  test(`keeps at most ${MAX_PENDING}, dropping the oldest`, () => {
    const many = Array.from({ length: 7 }, (_, i) => pending(`s${i}`));
    const { started, pending: list } = beginAuthorization(many, NOW);
    expect(list).toHaveLength(MAX_PENDING);
    expect(list.at(-1)).toBe(started);
    expect(list[0]?.state).toBe('s3');
  });
});

describe('newState', () => {
  it('carries at least 128 bits as base64url', () => {
    const state = newState();
    expect(state.length).toBeGreaterThanOrEqual(22);
    expect(state).toMatch(BASE64URL);
    expect(Buffer.from(state, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  it('differs on each call', () => {
    const seen = new Set(Array.from({ length: 50 }, () => newState()));
    expect(seen.size).toBe(50);
  });
});

describe('sameSecret', () => {
  it('is true for equal strings', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('', '')).toBe(true);
  });

  it('is false for different strings of the same length', () => {
    expect(sameSecret('abc', 'abd')).toBe(false);
  });

  it('is false for strings of different lengths, including a prefix', () => {
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'a')).toBe(false);
  });

  it('compares non-ASCII text exactly', () => {
    expect(sameSecret('é', 'é')).toBe(true);
    expect(sameSecret('é', 'e\u0301')).toBe(false);
  });
});
