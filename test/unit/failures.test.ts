import { ACTION_WORDS, FAILURE, FLASH, count, seconds } from '../../src/http/copy';
import { describeZoomFailure, type FailureContext } from '../../src/http/failures';
import { ZoomApiError, type ZoomErrorKind } from '../../src/zoom/errors';
import { OAuthError } from '../../src/zoom/oauth-errors';

const ACTIONS: FailureContext[] = ['list', 'remove-all-assistants', 'remove-assistant'];

function zoomError(kind: ZoomErrorKind, status: number | null, retryAfter?: number): ZoomApiError {
  return new ZoomApiError({ kind, status, retryAfterSeconds: retryAfter });
}

describe('describeZoomFailure: every answer Zoom can give → a status and a sentence', () => {
  // [label, error, action, status, text, extra]
  const table: [string, unknown, FailureContext, number, string, Record<string, unknown>][] = [
    [
      '429 with a wait',
      zoomError('rate_limited', 429, 30),
      'remove-all-assistants',
      429,
      FAILURE.rateLimited(30),
      { retryAfterSeconds: 30 },
    ],
    [
      '429 naming no wait: 1 s',
      zoomError('rate_limited', 429),
      'list',
      429,
      FAILURE.rateLimited(1),
      { retryAfterSeconds: 1 },
    ],
    ['404 listing', zoomError('not_found', 404), 'list', 404, FAILURE.userGone, {}],
    [
      '404 clearing',
      zoomError('not_found', 404),
      'remove-all-assistants',
      404,
      FAILURE.userGone,
      {},
    ],
    [
      '404 removing one',
      zoomError('not_found', 404),
      'remove-assistant',
      404,
      ACTION_WORDS['remove-assistant'].targetGone,
      {},
    ],
    [
      '404 stepping down',
      zoomError('not_found', 404),
      'step-down',
      404,
      ACTION_WORDS['step-down'].targetGone,
      {},
    ],
    [
      'missing scope to step down',
      zoomError('missing_scope', 400),
      'step-down',
      403,
      ACTION_WORDS['step-down'].needsPermission,
      { reconnect: true },
    ],
    ['404 at an undo', zoomError('not_found', 404), 'undo-removal', 404, FAILURE.userGone, {}],
    [
      'missing scope',
      zoomError('missing_scope', 400),
      'remove-all-assistants',
      403,
      FAILURE.missingScope,
      { reconnect: true },
    ],
    [
      '5xx or no answer',
      zoomError('unavailable', 503),
      'remove-assistant',
      502,
      FAILURE.zoomDown,
      {},
    ],
    ['401 after the retry', zoomError('unauthorized', 401), 'list', 401, FAILURE.accessRefused, {}],
    [
      'an unexpected 4xx',
      zoomError('unexpected', 409),
      'remove-all-assistants',
      502,
      FAILURE.unexpected(409),
      {},
    ],
    [
      'OAuth: no answer',
      new OAuthError({ kind: 'unavailable' }),
      'remove-all-assistants',
      502,
      FAILURE.zoomDown,
      {},
    ],
    [
      'OAuth: 5xx',
      new OAuthError({ kind: 'unavailable', status: 503 }),
      'remove-all-assistants',
      502,
      FAILURE.zoomDown,
      {},
    ],
    [
      'OAuth: an unreadable 200',
      new OAuthError({ kind: 'bad_response', status: 200 }),
      'list',
      502,
      FAILURE.zoomUnreadable,
      {},
    ],
    [
      'OAuth: 429',
      new OAuthError({ kind: 'rate_limited', status: 429, retryAfterSeconds: 7 }),
      'list',
      429,
      FAILURE.rateLimited(7),
      { retryAfterSeconds: 7 },
    ],
    [
      'OAuth: refused, cooling',
      new OAuthError({
        kind: 'refused',
        status: 400,
        oauthError: 'invalid_request',
        retryAfterSeconds: 42,
      }),
      'list',
      502,
      FAILURE.refreshRefused(42),
      { retryAfterSeconds: 42 },
    ],
    [
      'OAuth: refused, no wait known',
      new OAuthError({ kind: 'refused', status: 400 }),
      'list',
      502,
      FAILURE.refreshRefused(60),
      { retryAfterSeconds: 60 },
    ],
    [
      'OAuth: the app’s credentials',
      new OAuthError({ kind: 'invalid_client', status: 401, oauthError: 'invalid_client' }),
      'remove-all-assistants',
      503,
      FAILURE.misconfigured,
      {},
    ],
  ];

  test.each(table)('%s', (_label, err, action, status, text, extra) => {
    expect(describeZoomFailure(err, action)).toEqual({ status, text, ...extra });
  });

  test.each(ACTIONS)('a dead grant is the token manager’s to turn into a reconnect (%s)', (a) => {
    expect(
      describeZoomFailure(
        new OAuthError({ kind: 'grant_dead', status: 400, oauthError: 'invalid_grant' }),
        a,
      ),
    ).toBeNull();
  });

  test('never shows Zoom’s own message', () => {
    const text =
      describeZoomFailure(
        new ZoomApiError({
          kind: 'unexpected',
          status: 400,
          code: 300,
          zoomMessage: 'internal detail xyz',
        }),
        'remove-all-assistants',
      )?.text ?? '';
    expect(text).not.toContain('internal detail');
    expect(text).not.toContain('300');
  });

  test.each([
    ['a plain Error', new Error('boom')],
    ['a string', 'rate_limited'],
    ['null', null],
    ['a look-alike object', { kind: 'rate_limited', retryAfterSeconds: 5 }],
  ])('anything else is not a Zoom failure: %s', (_label, err) => {
    expect(describeZoomFailure(err, 'remove-all-assistants')).toBeNull();
  });
});

describe('plural forms', () => {
  test.each([
    [1, '1 second'],
    [2, '2 seconds'],
    [0, '0 seconds'],
  ])('seconds(%i)', (n, text) => expect(seconds(n)).toBe(text));

  test.each([
    [1, '1 person'],
    [3, '3 people'],
  ])('count(%i, person, people)', (n, text) => expect(count(n, 'person', 'people')).toBe(text));

  test.each([
    [['a@x'], 'Removed a@x.'],
    [['a@x', 'b@x'], 'Removed both: a@x and b@x.'],
    [['a@x', 'b@x', 'c@x'], 'Removed a@x, b@x and c@x.'],
  ])('FLASH.removed(%p) names everyone', (emails, text) =>
    expect(FLASH.removed(emails)).toBe(text),
  );
});
