import { parseTokenResponse, TokenResponseError } from '../../src/zoom/token-response';

const RECEIVED_AT = 1_700_000_000_000;

/** Zoom's documented success body. */
function zoomBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access_token: 'eyJhbGciOiJIUzUxMiJ9.access',
    token_type: 'bearer',
    refresh_token: 'eyJhbGciOiJIUzUxMiJ9.refresh',
    expires_in: 3599,
    scope: 'user:read:user user:delete:assistant',
    api_url: 'https://api.zoom.us',
    ...overrides,
  };
}

function parseError(body: unknown): TokenResponseError {
  try {
    parseTokenResponse(body, RECEIVED_AT);
  } catch (err) {
    if (err instanceof TokenResponseError) return err;
    throw err;
  }
  throw new Error('parseTokenResponse did not throw');
}

describe('parseTokenResponse', () => {
  it("reads Zoom's example body", () => {
    expect(parseTokenResponse(zoomBody(), RECEIVED_AT)).toEqual({
      accessToken: 'eyJhbGciOiJIUzUxMiJ9.access',
      refreshToken: 'eyJhbGciOiJIUzUxMiJ9.refresh',
      accessExpiresAt: RECEIVED_AT + 3599 * 1000,
      scopes: ['user:read:user', 'user:delete:assistant'],
    });
  });

  it('computes the absolute expiry from receivedAt and expires_in', () => {
    expect(parseTokenResponse(zoomBody({ expires_in: 3600 }), 5).accessExpiresAt).toBe(
      5 + 3_600_000,
    );
  });

  it('splits scopes on any whitespace and drops empties', () => {
    const set = parseTokenResponse(
      zoomBody({ scope: ' user:read:user  user:delete:assistant\tuser:read:list_assistants ' }),
      RECEIVED_AT,
    );
    expect(set.scopes).toEqual([
      'user:read:user',
      'user:delete:assistant',
      'user:read:list_assistants',
    ]);
  });

  it('accepts an empty scope string as no scopes', () => {
    expect(parseTokenResponse(zoomBody({ scope: '' }), RECEIVED_AT).scopes).toEqual([]);
  });

  it('does not keep api_url, whatever it holds', () => {
    for (const api_url of [undefined, 42, 'https://api-eu.zoom.us']) {
      expect(parseTokenResponse(zoomBody({ api_url }), RECEIVED_AT)).not.toHaveProperty('apiUrl');
    }
  });

  it('accepts token_type in any case, or absent', () => {
    expect(() => parseTokenResponse(zoomBody({ token_type: 'Bearer' }), RECEIVED_AT)).not.toThrow();
    expect(() =>
      parseTokenResponse(zoomBody({ token_type: undefined }), RECEIVED_AT),
    ).not.toThrow();
  });

  it.each(['access_token', 'refresh_token'])(
    'rejects a missing, empty or non-string %s',
    (field) => {
      for (const value of [undefined, '', 123, null, ['a'], { t: 'a' }]) {
        const err = parseError(zoomBody({ [field]: value }));
        expect(err.name).toBe('TokenResponseError');
        expect(err.message).toBe(`Zoom's token response is missing or has a malformed ${field}`);
      }
    },
  );

  it.each(['access_token', 'refresh_token'])(
    'rejects a %s with whitespace or over 8192 characters, without echoing it',
    (field) => {
      const spaced = 'eyJ SECRET-token';
      expect(parseError(zoomBody({ [field]: spaced })).message).not.toContain('SECRET');
      expect(parseError(zoomBody({ [field]: 'a'.repeat(8193) })).message).toContain(field);
      expect(() => parseTokenResponse(zoomBody({ [field]: 'a'.repeat(8192) }), 0)).not.toThrow();
    },
  );

  it('rejects a missing or non-string scope', () => {
    for (const value of [undefined, null, 1, ['user:read:user']]) {
      expect(parseError(zoomBody({ scope: value })).message).toContain('scope');
    }
  });

  it.each([
    ['a string', '3599'],
    ['zero', 0],
    ['negative', -1],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['missing', undefined],
  ])('rejects expires_in that is %s', (_label, value) => {
    expect(parseError(zoomBody({ expires_in: value })).message).toContain('expires_in');
  });

  it.each(['mac', 'basic', null])('rejects token_type %p', (value) => {
    expect(parseError(zoomBody({ token_type: value })).message).toContain('token_type');
  });

  it.each([
    ['null', null],
    ['a string', 'access_token=abc'],
    ['a number', 3599],
  ])('rejects a body that is %s', (_label, body) => {
    expect(parseError(body).message).toContain('body');
  });
});
