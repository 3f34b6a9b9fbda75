import {
  classifyZoomFailure,
  isRateLimited,
  isZoomApiError,
  parseRetryAfter,
  readErrorBody,
  ZoomApiError,
} from '../../src/zoom/errors';
import { classifyTokenRefusal, OAuthError } from '../../src/zoom/oauth-errors';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('reads whole seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120);
    expect(parseRetryAfter('1', NOW)).toBe(1);
  });

  it('answers at least 1 second for "0"', () => {
    expect(parseRetryAfter('0', NOW)).toBe(1);
  });

  it('ignores surrounding whitespace', () => {
    expect(parseRetryAfter('  30 ', NOW)).toBe(30);
    expect(parseRetryAfter('\t5\n', NOW)).toBe(5);
  });

  it("reads Zoom's ISO date-time (daily limit) as seconds from now", () => {
    expect(parseRetryAfter('2026-01-01T00:01:00Z', NOW)).toBe(60);
  });

  it('rounds a partial second up', () => {
    expect(parseRetryAfter('2026-01-01T00:00:01.200Z', NOW)).toBe(2);
    expect(parseRetryAfter('2026-01-01T00:00:00.001Z', NOW)).toBe(1);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:02:00 GMT', NOW)).toBe(120);
  });

  it('answers 1 for a date in the past', () => {
    expect(parseRetryAfter('2025-12-31T23:00:00Z', NOW)).toBe(1);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(1);
  });

  it('caps a huge wait at one day', () => {
    expect(parseRetryAfter('999999999', NOW)).toBe(86400);
    expect(parseRetryAfter('99999999999999999999999999', NOW)).toBe(86400);
    expect(parseRetryAfter('2026-01-05T00:00:00Z', NOW)).toBe(86400);
  });

  it('keeps exactly one day', () => {
    expect(parseRetryAfter('86400', NOW)).toBe(86400);
  });

  it.each([null, undefined, '', '   ', 'soon', 'next week', '30s', '1e3', 'NaN'])(
    'answers null for %p',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeNull();
    },
  );

  // V8's Date.parse is lenient: it reads text with a stray number as a date ("abc 1" →
  // 2001-01-01), so only the two date forms Zoom and HTTP use are handed to it.
  it.each(['abc 1', 'later 2099', 'Retry later 3'])(
    'answers null for junk with a number in it: %p',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeNull();
    },
  );
});

describe('readErrorBody', () => {
  it("reads Zoom's {code, message} body", () => {
    expect(readErrorBody('{"code":124,"message":"Invalid access token."}')).toEqual({
      code: 124,
      message: 'Invalid access token.',
    });
  });

  it('reads the validation variant with an errors list', () => {
    const body = JSON.stringify({
      code: 300,
      message: 'Validation Failed.',
      errors: [{ field: 'user_info.email', message: 'Invalid field.' }],
    });
    expect(readErrorBody(body)).toEqual({ code: 300, message: 'Validation Failed.' });
  });

  it.each([
    ['non-JSON', '<html><body>Bad Gateway</body></html>'],
    ['empty', ''],
    ['an array', '[{"code":124,"message":"x"}]'],
    ['null', 'null'],
    ['a number', '124'],
    ['a string', '"Invalid access token."'],
  ])('yields nulls for a %s body', (_label, text) => {
    expect(readErrorBody(text)).toEqual({ code: null, message: null });
  });

  it('ignores a code that is not a number and a message that is not a string', () => {
    expect(readErrorBody('{"code":"124","message":42}')).toEqual({ code: null, message: null });
  });

  it('keeps at most 300 characters of the message', () => {
    const body = JSON.stringify({ code: 300, message: 'x'.repeat(1000) });
    expect(readErrorBody(body).message).toBe('x'.repeat(300));
  });
});

describe('classifyZoomFailure', () => {
  const body = (code: number, message: string): string => JSON.stringify({ code, message });

  it('maps 401 code 124 to unauthorized', () => {
    const err = classifyZoomFailure(401, body(124, 'Invalid access token.'), null, NOW);
    expect(err).toBeInstanceOf(ZoomApiError);
    expect(err).toMatchObject({
      kind: 'unauthorized',
      status: 401,
      code: 124,
      zoomMessage: 'Invalid access token.',
      retryAfterSeconds: null,
    });
  });

  it('maps an expired token (401 code 124) to unauthorized', () => {
    expect(classifyZoomFailure(401, body(124, 'Access token is expired.'), null, NOW).kind).toBe(
      'unauthorized',
    );
  });

  it('maps a 401 without a body to unauthorized', () => {
    expect(classifyZoomFailure(401, '', null, NOW)).toMatchObject({
      kind: 'unauthorized',
      code: null,
      zoomMessage: null,
    });
  });

  it.each([400, 401])('maps %i code 4711 to missing_scope', (status) => {
    const message =
      'Invalid access token, does not contain scopes:[user:delete:assistant, user:delete:assistant:admin].';
    expect(classifyZoomFailure(status, body(4711, message), null, NOW)).toMatchObject({
      kind: 'missing_scope',
      status,
      code: 4711,
      zoomMessage: message,
    });
  });

  it('maps 404 code 1001 to not_found', () => {
    expect(
      classifyZoomFailure(404, body(1001, 'User does not exist: me.'), null, NOW),
    ).toMatchObject({ kind: 'not_found', status: 404, code: 1001 });
  });

  it('maps 429 with Retry-After seconds to rate_limited with that wait', () => {
    const err = classifyZoomFailure(
      429,
      body(
        429,
        'You have reached the maximum per-second rate limit for this API. Try again later.',
      ),
      '7',
      NOW,
    );
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterSeconds: 7 });
  });

  it('maps 429 with a Retry-After date (daily limit) to rate_limited with the seconds until then', () => {
    const err = classifyZoomFailure(429, '', '2026-01-01T01:00:00Z', NOW);
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 3600 });
  });

  it('maps 429 without Retry-After to the daily limit: wait until 00:00 UTC (forum /t/18928)', () => {
    const at = Date.parse('2026-12-07T21:30:00Z');
    const err = classifyZoomFailure(429, '', null, at);
    expect(err).toMatchObject({ kind: 'rate_limited', daily: true, retryAfterSeconds: 2.5 * 3600 });
  });

  it('a 429 with a wait in seconds is not the daily limit', () => {
    expect(classifyZoomFailure(429, '', '7', NOW).daily).toBe(false);
    expect(classifyZoomFailure(429, '', '7', NOW, 'Daily-limit').daily).toBe(true);
  });

  it('maps 429 with an unreadable Retry-After to the default wait', () => {
    expect(classifyZoomFailure(429, '', 'soon', NOW).retryAfterSeconds).toBe(1);
  });

  it.each([500, 502, 503, 504])('maps %i to unavailable', (status) => {
    expect(classifyZoomFailure(status, '<html>oops</html>', null, NOW)).toMatchObject({
      kind: 'unavailable',
      status,
      code: null,
      retryAfterSeconds: null,
    });
  });

  it('maps 400 code 300 to unexpected', () => {
    expect(
      classifyZoomFailure(400, body(300, 'Request Body should be a valid JSON object.'), null, NOW),
    ).toMatchObject({ kind: 'unexpected', status: 400, code: 300 });
  });

  it.each([400, 403, 409])('maps a bare %i to unexpected', (status) => {
    expect(classifyZoomFailure(status, '', null, NOW).kind).toBe('unexpected');
  });

  it('ignores Retry-After on answers other than 429', () => {
    expect(classifyZoomFailure(503, '', '30', NOW).retryAfterSeconds).toBeNull();
  });

  it('writes status, code and Zoom message into the error message', () => {
    expect(classifyZoomFailure(401, body(124, 'Invalid access token.'), null, NOW).message).toBe(
      'Zoom API unauthorized [401/124]: Invalid access token.',
    );
    expect(classifyZoomFailure(502, '', null, NOW).message).toBe('Zoom API unavailable [502]');
  });
});

describe('ZoomApiError and isZoomApiError', () => {
  const err = new ZoomApiError({
    kind: 'not_found',
    status: 404,
    code: 1001,
    zoomMessage: 'User does not exist: me.',
  });

  it('is an Error named ZoomApiError', () => {
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ZoomApiError');
  });

  it('writes a message without status when there is none', () => {
    expect(new ZoomApiError({ kind: 'unavailable' }).message).toBe('Zoom API unavailable');
  });

  it('recognises a ZoomApiError of any kind', () => {
    expect(isZoomApiError(err)).toBe(true);
  });

  it('recognises a ZoomApiError of the asked kind only', () => {
    expect(isZoomApiError(err, 'not_found')).toBe(true);
    expect(isZoomApiError(err, 'unauthorized')).toBe(false);
  });

  it.each([
    ['a plain Error', new Error('Zoom API not_found')],
    ['a look-alike object', { kind: 'not_found', status: 404, name: 'ZoomApiError' }],
    ['null', null],
    ['a string', 'ZoomApiError'],
  ])('rejects %s', (_label, value) => {
    expect(isZoomApiError(value)).toBe(false);
  });
});

describe('a rate limit is one kind, whichever endpoint said it', () => {
  it.each([
    ['the REST API', classifyZoomFailure(429, '', '7', NOW)],
    ['the token endpoint', classifyTokenRefusal({ status: 429, body: '', retryAfter: '7' }, NOW)],
  ])('%s: isRateLimited, with its wait', (_label, err) => {
    expect(isRateLimited(err)).toBe(true);
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterSeconds: 7 });
  });

  it('naming no wait, either endpoint waits the default', () => {
    expect(new ZoomApiError({ kind: 'rate_limited' }).retryAfterSeconds).toBe(1);
    expect(new OAuthError({ kind: 'rate_limited' }).retryAfterSeconds).toBe(1);
    expect(new OAuthError({ kind: 'refused' }).retryAfterSeconds).toBeNull();
  });

  it.each([
    ['a 5xx', classifyZoomFailure(503, '', '7', NOW)],
    ['a refused token', classifyTokenRefusal({ status: 400, body: '', retryAfter: null }, NOW)],
    ['a look-alike object', { kind: 'rate_limited', retryAfterSeconds: 7 }],
    ['a plain Error', new Error('rate_limited')],
  ])('%s is not a rate limit', (_label, value) => {
    expect(isRateLimited(value)).toBe(false);
  });
});

describe('what the error was caused by', () => {
  it('is kept as the ES2022 cause, and absent when there is none', () => {
    const network = new Error('ECONNRESET');
    expect(new ZoomApiError({ kind: 'unavailable', cause: network }).cause).toBe(network);
    expect('cause' in new ZoomApiError({ kind: 'unavailable' })).toBe(false);
  });
});
