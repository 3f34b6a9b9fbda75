import { inspect } from 'node:util';
import { OAuthError, toOAuthError } from '../../src/zoom/oauth';
import { TokenResponseError } from '../../src/zoom/token-response';

const SECRET = 'S3CRET-refresh-eyJzZWNyZXQ';
const BASIC = 'Basic Y2xpZW50SWQ6Y2xpZW50U2VjcmV0';

/** The shape @hapi/wreck (under simple-oauth2) throws for a non-2xx answer. */
function responseError(statusCode: number, payload: unknown): unknown {
  return {
    isBoom: true,
    message: `Response Error: ${statusCode}`,
    output: { statusCode },
    data: {
      isResponseError: true,
      headers: { 'content-type': 'application/json' },
      res: { req: { headers: { authorization: BASIC } } },
      payload,
    },
  };
}

describe('toOAuthError', () => {
  it('maps 400 invalid_grant ("Invalid Token!") to invalid_grant', () => {
    const err = toOAuthError(
      responseError(400, { error: 'invalid_grant', reason: 'Invalid Token!' }),
    );
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ kind: 'invalid_grant', status: 400, oauthError: 'invalid_grant' });
  });

  // BUG: src/zoom/oauth.ts toOAuthError checks `typeof payload === 'object'` before
  // `Buffer.isBuffer(payload)`; a Buffer is an object, so its `.error` (undefined) is read and the
  // Buffer/string branch is never reached for Buffers: 400 + Buffer invalid_grant → 'rejected'.
  it('BUG: maps a Buffer payload of the same JSON to invalid_grant', () => {
    const payload = Buffer.from('{"reason":"Invalid Token!","error":"invalid_grant"}');
    expect(toOAuthError(responseError(400, payload))).toMatchObject({
      kind: 'invalid_grant',
      status: 400,
      oauthError: 'invalid_grant',
    });
  });

  it('maps a string payload of the same JSON to invalid_grant', () => {
    expect(toOAuthError(responseError(400, '{"error" : "invalid_grant"}')).kind).toBe(
      'invalid_grant',
    );
  });

  it('maps an invalid authorization code (400 invalid_grant) to invalid_grant', () => {
    const payload = { reason: 'Invalid authorization code', error: 'invalid_grant' };
    expect(toOAuthError(responseError(400, payload)).kind).toBe('invalid_grant');
  });

  it('maps a 401 invalid_grant (older Zoom answer) to invalid_grant', () => {
    expect(toOAuthError(responseError(401, { error: 'invalid_grant' })).kind).toBe('invalid_grant');
  });

  it('maps 401 invalid_client to rejected', () => {
    expect(toOAuthError(responseError(401, { error: 'invalid_client' }))).toMatchObject({
      kind: 'rejected',
      status: 401,
      oauthError: 'invalid_client',
    });
  });

  it.each([
    ['a 400 invalid_request', 400, { error: 'invalid_request' }],
    ['a 400 without a body', 400, null],
    ['a 400 with a non-JSON Buffer', 400, Buffer.from('<html>Bad Request</html>')],
    ['a 403', 403, { error: 'access_denied' }],
  ])('maps %s to rejected', (_label, status, payload) => {
    expect(toOAuthError(responseError(status, payload)).kind).toBe('rejected');
  });

  it.each([500, 502, 503])('maps %i to unavailable', (status) => {
    expect(toOAuthError(responseError(status, Buffer.from('oops')))).toMatchObject({
      kind: 'unavailable',
      status,
    });
  });

  it('maps 429 to unavailable, even with an error code', () => {
    expect(toOAuthError(responseError(429, { error: 'invalid_grant' }))).toMatchObject({
      kind: 'unavailable',
      status: 429,
    });
  });

  it.each([
    ['a timeout', { isBoom: true, output: { statusCode: 504 }, data: null }],
    ['a network failure', { isBoom: true, output: { statusCode: 502 }, data: { payload: 'x' } }],
    ['a non-JSON content type', { isBoom: true, output: { statusCode: 406 }, data: { res: {} } }],
    ['a Boom without data', { isBoom: true }],
  ])('maps %s (a Boom that is not a response error) to unavailable', (_label, boom) => {
    expect(toOAuthError(boom)).toMatchObject({
      kind: 'unavailable',
      status: null,
      oauthError: null,
    });
  });

  it.each([
    ['a plain Error', new Error('socket hang up')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['an object with isBoom not true', { isBoom: 'true', output: { statusCode: 400 } }],
  ])('maps %s to unavailable', (_label, value) => {
    expect(toOAuthError(value)).toMatchObject({ kind: 'unavailable', status: null });
  });

  it('maps a TokenResponseError to bad_response', () => {
    expect(toOAuthError(new TokenResponseError('scope'))).toMatchObject({
      kind: 'bad_response',
      status: 200,
      oauthError: null,
    });
  });

  it('passes an OAuthError through unchanged', () => {
    const original = new OAuthError('invalid_grant', 400, 'invalid_grant');
    expect(toOAuthError(original)).toBe(original);
  });

  describe('never leaks the payload', () => {
    const payloads: [string, unknown][] = [
      [
        'an object',
        { error: 'invalid_grant', reason: `Invalid Token! ${SECRET}`, refresh_token: SECRET },
      ],
      [
        'a Buffer',
        Buffer.from(JSON.stringify({ reason: SECRET, error: 'invalid_grant', token: SECRET })),
      ],
      ['a 401 object', { error: 'invalid_client', error_description: `client secret ${SECRET}` }],
    ];

    it.each(payloads)('keeps only the short error code from %s', (_label, payload) => {
      const err = toOAuthError(responseError(400, payload));
      expect(err.message).toMatch(/^Zoom OAuth \w+ \[400\]( [a-z_]+)?$/);
      expect(err.message).not.toContain(SECRET);
      const everything = inspect(err, { depth: 10, showHidden: true });
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain(BASIC);
      expect(err.cause).toBeUndefined();
    });

    it('keeps nothing from a 5xx body', () => {
      const err = toOAuthError(responseError(502, Buffer.from(`<html>${SECRET}</html>`)));
      expect(inspect(err, { depth: 10, showHidden: true })).not.toContain(SECRET);
    });

    // BUG: src/zoom/oauth.ts toOAuthError, object-payload branch: `oauthError = e.slice(0, 64)`
    // copies any string from payload.error into the message, while the Buffer branch only accepts
    // /[a-z_]{1,64}/. A payload whose `error` is not a short code leaks into OAuthError.message.
    it('BUG: does not copy an `error` field that is not a short code into the message', () => {
      const err = toOAuthError(responseError(400, { error: `Invalid Token! ${SECRET}` }));
      expect(err.message).not.toContain(SECRET);
    });
  });
});

describe('OAuthError', () => {
  it('names its kind, status and error code in the message', () => {
    const err = new OAuthError('invalid_grant', 400, 'invalid_grant');
    expect(err.name).toBe('OAuthError');
    expect(err.message).toBe('Zoom OAuth invalid_grant [400] invalid_grant');
    expect(new OAuthError('unavailable', null, null).message).toBe('Zoom OAuth unavailable');
  });
});
