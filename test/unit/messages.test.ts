import {
  MISCONFIGURED,
  describeZoomFailure,
  removedMessage,
  seconds,
  type ZoomAction,
} from '../../src/http/messages';
import { ZoomApiError, type ZoomErrorKind } from '../../src/zoom/errors';
import { OAuthError } from '../../src/zoom/oauth-errors';

const ACTIONS: ZoomAction[] = ['list', 'clear', 'remove'];

function zoomError(kind: ZoomErrorKind, status: number | null, retryAfter?: number): ZoomApiError {
  return new ZoomApiError(kind, status, null, null, retryAfter ?? null);
}

describe('seconds', () => {
  it('is singular for 1 and plural otherwise', () => {
    expect(seconds(1)).toBe('1 second');
    expect(seconds(2)).toBe('2 seconds');
    expect(seconds(0)).toBe('0 seconds');
    expect(seconds(86400)).toBe('86400 seconds');
  });
});

describe('describeZoomFailure for Zoom API errors', () => {
  it.each(ACTIONS)('asks to try again in N seconds when rate limited (%s)', (action) => {
    expect(describeZoomFailure(zoomError('rate_limited', 429, 30), action)).toEqual({
      status: 429,
      text: 'Zoom is limiting requests; try again in 30 seconds.',
      retryAfterSeconds: 30,
    });
  });

  it('says "1 second" for a one-second wait', () => {
    expect(describeZoomFailure(zoomError('rate_limited', 429, 1), 'clear')).toEqual({
      status: 429,
      text: 'Zoom is limiting requests; try again in 1 second.',
      retryAfterSeconds: 1,
    });
  });

  it('waits 1 second when the rate limit names no wait', () => {
    const failure = describeZoomFailure(zoomError('rate_limited', 429), 'list');
    expect(failure?.text).toBe('Zoom is limiting requests; try again in 1 second.');
    expect(failure?.retryAfterSeconds).toBe(1);
  });

  it.each(['list', 'clear'] as const)(
    'says the Zoom user no longer exists on not_found (%s)',
    (action) => {
      expect(describeZoomFailure(zoomError('not_found', 404), action)).toEqual({
        status: 404,
        text: 'Your Zoom user no longer exists.',
      });
    },
  );

  it('says the assistant is no longer listed on not_found when removing one', () => {
    expect(describeZoomFailure(zoomError('not_found', 404), 'remove')).toEqual({
      status: 404,
      text: 'Zoom no longer lists that assistant; the list below is current.',
    });
  });

  it.each(ACTIONS)('asks to reinstall on missing_scope (%s)', (action) => {
    expect(describeZoomFailure(zoomError('missing_scope', 400), action)).toEqual({
      status: 403,
      text: 'The app lacks a permission it needs in Zoom — reinstall it to grant the permission.',
      reconnect: true,
    });
  });

  it.each(ACTIONS)('says Zoom did not answer on unavailable (%s)', (action) => {
    expect(describeZoomFailure(zoomError('unavailable', 503), action)).toEqual({
      status: 502,
      text: 'Zoom did not answer; try again.',
    });
  });

  it.each(ACTIONS)('asks to sign out and add the app again on unauthorized (%s)', (action) => {
    expect(describeZoomFailure(zoomError('unauthorized', 401), action)).toEqual({
      status: 401,
      text: 'Zoom did not accept the app’s access. Sign out and add the app to Zoom again.',
    });
  });

  it('names the status of an unexpected error', () => {
    expect(describeZoomFailure(zoomError('unexpected', 400), 'clear')).toEqual({
      status: 502,
      text: 'Zoom answered with an unexpected error (400); try again.',
    });
  });

  it('leaves the status out of an unexpected error without one', () => {
    expect(describeZoomFailure(zoomError('unexpected', null), 'list')?.text).toBe(
      'Zoom answered with an unexpected error; try again.',
    );
  });

  it("never shows Zoom's own message or code", () => {
    const err = new ZoomApiError('unexpected', 400, 300, 'internal detail xyz');
    const text = describeZoomFailure(err, 'clear')?.text ?? '';
    expect(text).not.toContain('internal detail');
    expect(text).not.toContain('300');
  });
});

describe('describeZoomFailure for OAuth errors', () => {
  it.each([
    [
      'no answer',
      new OAuthError('unavailable', null, null),
      502,
      'Zoom did not answer; try again.',
    ],
    ['a 5xx', new OAuthError('unavailable', 503, null), 502, 'Zoom did not answer; try again.'],
    [
      'an unreadable 200',
      new OAuthError('bad_response', 200, null),
      502,
      'Zoom gave an answer the app could not read; try again.',
    ],
    [
      'a 429 with a wait',
      new OAuthError('unavailable', 429, null, null, 7),
      429,
      'Zoom is limiting requests; try again in 7 seconds.',
    ],
    [
      'another refusal, cooling down',
      new OAuthError('refused', 400, 'invalid_request', null, 42),
      502,
      'Zoom refused to renew the app’s access just now, without saying it has ended. Nothing changed; try again in 42 seconds.',
    ],
    [
      'the app’s credentials refused',
      new OAuthError('invalid_client', 401, 'invalid_client'),
      503,
      MISCONFIGURED,
    ],
  ])('%s → %i with its sentence', (_label, err, status, text) => {
    expect(describeZoomFailure(err, 'clear')).toMatchObject({ status, text });
  });

  it('leaves a dead grant to the token manager (it becomes a reconnect)', () => {
    expect(
      describeZoomFailure(new OAuthError('grant_dead', 400, 'invalid_grant'), 'list'),
    ).toBeNull();
  });
});

describe('describeZoomFailure for other errors', () => {
  it.each([
    ['a plain Error', new Error('boom')],
    ['a TypeError', new TypeError('x is undefined')],
    ['a string', 'rate_limited'],
    ['null', null],
    ['a look-alike object', { kind: 'rate_limited', retryAfterSeconds: 5 }],
  ])('answers null for %s', (_label, err) => {
    expect(describeZoomFailure(err, 'clear')).toBeNull();
  });
});

describe('removedMessage', () => {
  it('says all were removed when the count is unknown', () => {
    expect(removedMessage(null)).toBe('Removed all your assistants.');
  });

  it('says there was nothing to remove for 0', () => {
    expect(removedMessage(0)).toBe('You had no assistants to remove.');
  });

  it('is singular for 1 and plural otherwise', () => {
    expect(removedMessage(1)).toBe('Removed 1 assistant.');
    expect(removedMessage(2)).toBe('Removed 2 assistants.');
    expect(removedMessage(30)).toBe('Removed 30 assistants.');
  });
});
