import { inspect } from 'node:util';
import {
  OAuthError,
  classifyTokenRefusal,
  toOAuthError,
  type OAuthErrorKind,
} from '../../src/zoom/oauth-errors';
import { TokenResponseError } from '../../src/zoom/token-response';

const SECRET = 'S3CRET-refresh-eyJzZWNyZXQ';
const BASIC = 'Basic Y2xpZW50SWQ6Y2xpZW50U2VjcmV0';
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

/** The shape @hapi/wreck (under simple-oauth2) throws for a non-2xx answer. */
function responseError(
  statusCode: number,
  payload: unknown,
  headers: Record<string, string> = {},
): unknown {
  return {
    isBoom: true,
    message: `Response Error: ${statusCode}`,
    output: { statusCode },
    data: {
      isResponseError: true,
      headers: { 'content-type': 'application/json', ...headers },
      res: { req: { headers: { authorization: BASIC } } },
      payload,
    },
  };
}

describe('classifyTokenRefusal: every refusal shape Zoom sends', () => {
  // [label, status, body, kind, zoomCode]
  const table: [string, number, string, OAuthErrorKind, number | null][] = [
    // A dead grant: only a new install helps.
    [
      'invalid_grant, Invalid Token!',
      400,
      '{"reason":"Invalid Token!","error":"invalid_grant"}',
      'grant_dead',
      null,
    ],
    ['bare invalid_grant', 400, '{"error":"invalid_grant"}', 'grant_dead', null],
    [
      'invalid authorization code',
      400,
      '{"reason":"Invalid authorization code","error":"invalid_grant"}',
      'grant_dead',
      null,
    ],
    ['older 401 invalid_grant', 401, '{"error":"invalid_grant"}', 'grant_dead', null],
    [
      'Invalid Token! with invalid_request',
      400,
      '{"reason":"Invalid Token!","error":"invalid_request"}',
      'grant_dead',
      null,
    ],
    ['Invalid Token! with no error', 400, '{"reason":"invalid token!"}', 'grant_dead', null],
    [
      '4735 owner gone, as a field',
      400,
      '{"reason":"The owner of this token does not exist","error":"invalid_request","code":4735}',
      'grant_dead',
      4735,
    ],
    [
      '4738 disabled by the admin, in the reason',
      400,
      '{"reason":"Token disabled by admin (4738)","error":"invalid_request"}',
      'grant_dead',
      4738,
    ],
    [
      '4740 tolerance, as a string',
      400,
      '{"error":"invalid_request","error_code":"4740"}',
      'grant_dead',
      4740,
    ],
    ['4741 revoked, in plain text', 400, 'error 4741: token has been revoked', 'grant_dead', 4741],
    // The app's own credentials: the operator's problem.
    [
      'invalid_client',
      401,
      '{"reason":"Invalid client_id or client_secret","error":"invalid_client"}',
      'invalid_client',
      null,
    ],
    ['4702 invalid client', 400, '{"error":"invalid_request","code":4702}', 'invalid_client', 4702],
    ['4704 invalid secret', 401, '{"code":4704}', 'invalid_client', 4704],
    [
      '4706 client id missing',
      400,
      '{"code":4706,"reason":"Client ID or client secret is missing"}',
      'invalid_client',
      4706,
    ],
    [
      '4709 redirect URI mismatch',
      400,
      '{"reason":"Redirect URI mismatch","code":4709}',
      'invalid_client',
      4709,
    ],
    // Another refusal: the grant may be fine.
    [
      'invalid_request internal error',
      400,
      '{"reason":"Internal Error","error":"invalid_request"}',
      'refused',
      null,
    ],
    ['a 400 without a body', 400, '', 'refused', null],
    ['a 400 with HTML', 400, '<html>Bad Request</html>', 'refused', null],
    ['a 403', 403, '{"error":"access_denied"}', 'refused', null],
    [
      'a code inside a longer number is not a code',
      400,
      '{"error":"invalid_request","id":"x147411"}',
      'refused',
      null,
    ],
    [
      'a code inside an id is not a code',
      400,
      '{"error":"invalid_request","id":"ab4741cd"}',
      'refused',
      null,
    ],
    // Transient.
    ['500', 500, 'oops', 'unavailable', null],
    ['503 with invalid_grant in it', 503, '{"error":"invalid_grant"}', 'unavailable', null],
    ['429 even with invalid_grant', 429, '{"error":"invalid_grant"}', 'rate_limited', null],
  ];

  it.each(table)('%s → %s', (_label, status, body, kind, zoomCode) => {
    const err = classifyTokenRefusal({ status, body, retryAfter: null }, NOW);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ kind, status, zoomCode });
  });

  it('reads a 429’s Retry-After as seconds or a date', () => {
    expect(classifyTokenRefusal({ status: 429, body: '', retryAfter: '7' }, NOW)).toMatchObject({
      kind: 'rate_limited',
      retryAfterSeconds: 7,
    });
    const date = new Date(NOW + 90_000).toISOString();
    expect(
      classifyTokenRefusal({ status: 429, body: '', retryAfter: date }, NOW).retryAfterSeconds,
    ).toBe(90);
    expect(
      classifyTokenRefusal({ status: 429, body: '', retryAfter: null }, NOW).retryAfterSeconds,
    ).toBe(1);
  });

  it('keeps Zoom’s error only when it is a short OAuth code', () => {
    expect(
      classifyTokenRefusal(
        { status: 400, body: '{"error":"invalid_grant"}', retryAfter: null },
        NOW,
      ).oauthError,
    ).toBe('invalid_grant');
    const err = classifyTokenRefusal(
      {
        status: 400,
        body: JSON.stringify({ error: `Invalid Token! ${SECRET}` }),
        retryAfter: null,
      },
      NOW,
    );
    expect(err.oauthError).toBeNull();
    expect(err.message).not.toContain(SECRET);
  });
});

describe('toOAuthError: what simple-oauth2 throws', () => {
  it.each([
    ['an object payload', { error: 'invalid_grant', reason: 'Invalid Token!' }],
    ['a Buffer payload', Buffer.from('{"reason":"Invalid Token!","error":"invalid_grant"}')],
    ['a string payload', '{"error" : "invalid_grant"}'],
  ])('reads %s', (_label, payload) => {
    expect(toOAuthError(responseError(400, payload), NOW)).toMatchObject({
      kind: 'grant_dead',
      status: 400,
      oauthError: 'invalid_grant',
    });
  });

  it('passes the Retry-After header of a 429 on', () => {
    const err = toOAuthError(responseError(429, {}, { 'retry-after': '12' }), NOW);
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterSeconds: 12 });
  });

  it.each([
    ['a timeout', { isBoom: true, output: { statusCode: 504 }, data: null }],
    ['a network failure', { isBoom: true, output: { statusCode: 502 }, data: { payload: 'x' } }],
    ['a non-JSON content type', { isBoom: true, output: { statusCode: 406 }, data: { res: {} } }],
    ['a Boom without data', { isBoom: true }],
    ['a plain Error', new Error('socket hang up')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['an object with isBoom not true', { isBoom: 'true', output: { statusCode: 400 } }],
  ])('maps %s (not an answer from Zoom) to unavailable', (_label, value) => {
    expect(toOAuthError(value, NOW)).toMatchObject({
      kind: 'unavailable',
      status: null,
      oauthError: null,
    });
  });

  it('maps a TokenResponseError to bad_response, keeping it as the cause', () => {
    const unreadable = new TokenResponseError('scope');
    expect(toOAuthError(unreadable, NOW)).toMatchObject({
      kind: 'bad_response',
      status: 200,
      cause: unreadable,
    });
  });

  it('passes an OAuthError through unchanged', () => {
    const original = new OAuthError({
      kind: 'grant_dead',
      status: 400,
      oauthError: 'invalid_grant',
    });
    expect(toOAuthError(original, NOW)).toBe(original);
  });

  describe('never leaks the payload or the request', () => {
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
      const err = toOAuthError(responseError(400, payload), NOW);
      expect(err.message).toMatch(/^Zoom OAuth \w+ \[400(\/\d+)?\]( [a-z_]+)?$/);
      const everything = inspect(err, { depth: 10, showHidden: true });
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain(BASIC);
      expect(err.cause).toBeUndefined();
    });

    it('keeps nothing from a 5xx body', () => {
      const err = toOAuthError(responseError(502, Buffer.from(`<html>${SECRET}</html>`)), NOW);
      expect(inspect(err, { depth: 10, showHidden: true })).not.toContain(SECRET);
    });
  });
});

describe('OAuthError', () => {
  it('names its kind, status, Zoom code and error code in the message', () => {
    expect(
      new OAuthError({ kind: 'grant_dead', status: 400, oauthError: 'invalid_grant' }).message,
    ).toBe('Zoom OAuth grant_dead [400] invalid_grant');
    expect(
      new OAuthError({
        kind: 'grant_dead',
        status: 400,
        oauthError: 'invalid_request',
        zoomCode: 4741,
      }).message,
    ).toBe('Zoom OAuth grant_dead [400/4741] invalid_request');
    expect(new OAuthError({ kind: 'unavailable' }).message).toBe('Zoom OAuth unavailable');
    expect(new OAuthError({ kind: 'unavailable' }).name).toBe('OAuthError');
  });
});
