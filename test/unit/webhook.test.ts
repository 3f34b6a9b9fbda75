import { createHmac } from 'node:crypto';
import {
  DEAUTHORIZATION_TOLERANCE_SECONDS,
  deauthorizationTime,
  deauthorizedUserId,
  readEvent,
  signatureFor,
  urlValidationAnswer,
  verifySignature,
} from '../../src/zoom/webhook';

const SECRET = 'secret-token';
const NOW = 1_739_923_528_000;
const TS = String(NOW / 1000);

function zoomSignature(body: string, ts = TS, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

describe('verifySignature', () => {
  const body = '{"event":"app_deauthorized","payload":{"user_id":"abc"}}';
  const ok = { rawBody: Buffer.from(body), timestamp: TS, signature: zoomSignature(body) };

  test('accepts Zoom’s v0 HMAC-SHA256 over v0:{timestamp}:{raw body}, and says how old it is', () => {
    expect(verifySignature(ok, SECRET, NOW)).toEqual({ ok: true, ageSeconds: 0 });
    expect(verifySignature(ok, SECRET, NOW + 42_000)).toEqual({ ok: true, ageSeconds: 42 });
    expect(signatureFor(SECRET, TS, Buffer.from(body))).toBe(zoomSignature(body));
  });

  test.each([
    ['no timestamp', { timestamp: undefined }, 'missing_timestamp', null],
    ['an empty timestamp', { timestamp: '' }, 'missing_timestamp', null],
    ['a timestamp that is not seconds', { timestamp: '12a' }, 'malformed_timestamp', null],
    [
      'a timestamp in milliseconds',
      { timestamp: String(NOW) + '000' },
      'malformed_timestamp',
      null,
    ],
    ['no signature', { signature: undefined }, 'missing_signature', 0],
    ['a signature of another scheme', { signature: 'v1=abc' }, 'malformed_signature', 0],
    [
      'a truncated signature',
      { signature: zoomSignature(body).slice(0, -1) },
      'malformed_signature',
      0,
    ],
  ])('%s → %s', (_label, change, reason, ageSeconds) => {
    expect(verifySignature({ ...ok, ...change }, SECRET, NOW)).toEqual({
      ok: false,
      reason,
      ageSeconds,
    });
  });

  test('the window: 5 minutes by default, longer when asked, never more than 5 minutes ahead', () => {
    expect(verifySignature(ok, SECRET, NOW + 299_000).ok).toBe(true);
    expect(verifySignature(ok, SECRET, NOW + 301_000)).toEqual({
      ok: false,
      reason: 'stale_timestamp',
      ageSeconds: 301,
    });
    const day = DEAUTHORIZATION_TOLERANCE_SECONDS;
    expect(verifySignature(ok, SECRET, NOW + 301_000, day).ok).toBe(true);
    expect(verifySignature(ok, SECRET, NOW + (day - 1) * 1000, day).ok).toBe(true);
    expect(verifySignature(ok, SECRET, NOW + (day + 1) * 1000, day).ok).toBe(false);
    expect(verifySignature(ok, SECRET, NOW - 301_000, day)).toEqual({
      ok: false,
      reason: 'future_timestamp',
      ageSeconds: -301,
    });
  });

  test('another secret, another body or another timestamp → bad', () => {
    const bad = { ok: false, reason: 'bad_signature', ageSeconds: 0 };
    expect(verifySignature(ok, 'other', NOW)).toEqual(bad);
    expect(verifySignature({ ...ok, rawBody: Buffer.from(`${body} `) }, SECRET, NOW)).toEqual(bad);
    expect(
      verifySignature({ ...ok, timestamp: String(Number(TS) + 1) }, SECRET, NOW + 1000),
    ).toEqual(bad);
  });

  test('the raw bytes count: non-ASCII bodies are signed as UTF-8 bytes', () => {
    const text = '{"event":"x","payload":{"name":"Zoë"}}';
    const sig = zoomSignature(text);
    expect(
      verifySignature(
        { rawBody: Buffer.from(text, 'utf8'), timestamp: TS, signature: sig },
        SECRET,
        NOW,
      ).ok,
    ).toBe(true);
  });
});

test('urlValidationAnswer is hex HMAC-SHA256(secret, plainToken)', () => {
  const a = urlValidationAnswer('qgg8vlvZRS6UYooatFL8Aw', SECRET);
  expect(a.plainToken).toBe('qgg8vlvZRS6UYooatFL8Aw');
  expect(a.encryptedToken).toBe(
    createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
  );
});

describe('readEvent and deauthorizedUserId', () => {
  test('the real 2025 delivery: event_ts at the top level', () => {
    const e = readEvent({
      event: 'app_deauthorized',
      event_ts: 1749365726209,
      payload: { user_id: 'NtEMagHcQAygosd81Lzysw', client_id: 'x' },
    });
    expect(e?.eventTs).toBe(1749365726209);
    expect(e && deauthorizedUserId(e)).toBe('NtEMagHcQAygosd81Lzysw');
  });

  test('Zoom’s documented example: event_ts inside payload', () => {
    const e = readEvent({
      event: 'app_deauthorized',
      payload: { user_id: 'abc', event_ts: '2024-09-08 15:58:40' },
    });
    expect(e?.eventTs).toBe('2024-09-08 15:58:40');
  });

  test('not an event', () => {
    expect(readEvent(null)).toBeNull();
    expect(readEvent([])).toBeNull();
    expect(readEvent({ payload: {} })).toBeNull();
    expect(readEvent({ event: 5 })).toBeNull();
  });

  test('a user id that is not an id is refused', () => {
    for (const id of [undefined, 5, '', 'a/b', '../x', 'x'.repeat(65)]) {
      const e = readEvent({ event: 'app_deauthorized', payload: { user_id: id } });
      expect(e && deauthorizedUserId(e)).toBeNull();
    }
  });
});

describe('deauthorizationTime', () => {
  const event = (payload: Record<string, unknown>, eventTs?: unknown) =>
    readEvent({
      event: 'app_deauthorized',
      ...(eventTs === undefined ? {} : { event_ts: eventTs }),
      payload,
    });

  test.each([
    [
      'ISO deauthorization_time',
      { deauthorization_time: '2025-06-08T06:55:26.209Z' },
      undefined,
      Date.UTC(2025, 5, 8, 6, 55, 26, 209),
    ],
    [
      'it wins over event_ts',
      { deauthorization_time: '2025-06-08T06:55:26.209Z' },
      1,
      Date.UTC(2025, 5, 8, 6, 55, 26, 209),
    ],
    ['event_ts in ms when there is no deauthorization_time', {}, 1749365726209, 1749365726209],
    [
      'Zoom’s example event_ts, read as UTC',
      { event_ts: '2024-09-08 15:58:40' },
      undefined,
      Date.UTC(2024, 8, 8, 15, 58, 40),
    ],
    ['an unreadable time falls back to event_ts', { deauthorization_time: 'yesterday' }, 5, 5],
    ['nothing readable', { deauthorization_time: 'soon' }, undefined, null],
  ])('%s', (_label, payload, eventTs, expected) => {
    const e = event(payload, eventTs);
    expect(e && deauthorizationTime(e)).toBe(expected);
  });
});

describe('the signature check at its edges', () => {
  const body = '{"event":"app_deauthorized","payload":{"user_id":"abc"}}';
  const ok = { rawBody: Buffer.from(body), timestamp: TS, signature: zoomSignature(body) };
  const hex = zoomSignature(body).slice('v0='.length);

  test.each([
    ['a prefix before v0=', `xv0=${hex}`],
    ['a line break after the digits', `v0=${hex}\n`],
    ['upper-case hex digits', `v0=${hex.toUpperCase()}`],
    ['a digit too many', `v0=${hex}0`],
  ])('%s is malformed, not merely wrong', (_label, signature) => {
    expect(verifySignature({ ...ok, signature }, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'malformed_signature',
      ageSeconds: 0,
    });
  });

  test.each([
    ['a sign before the digits', `-${TS}`],
    ['a letter before the digits', `a${TS}`],
    ['a space after the digits', `${TS} `],
    ['13 digits', `${TS}000`],
  ])('a timestamp with %s is malformed', (_label, timestamp) => {
    expect(verifySignature({ ...ok, timestamp }, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'malformed_timestamp',
      ageSeconds: null,
    });
  });

  test('a timestamp of one or of twelve digits is read as seconds (then judged by age)', () => {
    expect(verifySignature({ ...ok, timestamp: '5' }, SECRET, NOW)).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifySignature({ ...ok, timestamp: '100000000000' }, SECRET, NOW)).toMatchObject({
      ok: false,
      reason: 'future_timestamp',
    });
  });

  test('a well-formed signature of the right length but other digits is bad', () => {
    const other = `v0=${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;
    expect(verifySignature({ ...ok, signature: other }, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
      ageSeconds: 0,
    });
  });

  test('exactly the tolerance old or ahead is still accepted; one second more is not', () => {
    const day = DEAUTHORIZATION_TOLERANCE_SECONDS;
    expect(verifySignature(ok, SECRET, NOW + 300_000)).toEqual({ ok: true, ageSeconds: 300 });
    expect(verifySignature(ok, SECRET, NOW - 300_000)).toEqual({ ok: true, ageSeconds: -300 });
    expect(verifySignature(ok, SECRET, NOW - 301_000).ok).toBe(false);
    expect(verifySignature(ok, SECRET, NOW + day * 1000, day)).toEqual({
      ok: true,
      ageSeconds: day,
    });
    expect(verifySignature(ok, SECRET, NOW - 300_000, day).ok).toBe(true);
  });

  test('the age is rounded to the nearest second', () => {
    expect(verifySignature(ok, SECRET, NOW + 1_499)).toEqual({ ok: true, ageSeconds: 1 });
    expect(verifySignature(ok, SECRET, NOW + 1_500)).toEqual({ ok: true, ageSeconds: 2 });
    expect(verifySignature(ok, SECRET, NOW - 1_400)).toEqual({ ok: true, ageSeconds: -1 });
  });
});

describe('readEvent at its edges', () => {
  test('an event name of 128 characters is read; 129 is not an event', () => {
    expect(readEvent({ event: 'e'.repeat(128), payload: {} })?.event).toHaveLength(128);
    expect(readEvent({ event: 'e'.repeat(129), payload: {} })).toBeNull();
    expect(readEvent({ event: '', payload: {} })).toBeNull();
    expect(readEvent(undefined)).toBeNull();
    expect(readEvent('app_deauthorized')).toBeNull();
  });

  test.each([
    ['null', null],
    ['an array', [{ user_id: 'abc' }]],
    ['a string', 'user_id=abc'],
    ['absent', undefined],
  ])('a payload that is %s is read as an empty one', (_label, payload) => {
    expect(readEvent({ event: 'app_deauthorized', payload, event_ts: 7 })).toEqual({
      event: 'app_deauthorized',
      payload: {},
      eventTs: 7,
    });
  });
});

describe('deauthorizationTime at its edges', () => {
  const at = (deauthorization_time: unknown, eventTs: unknown = 5): number | null => {
    const e = readEvent({
      event: 'app_deauthorized',
      event_ts: eventTs,
      payload: { deauthorization_time },
    });
    if (!e) throw new Error('not an event');
    return deauthorizationTime(e);
  };

  test('a time of 0 or before 1970 is no time: event_ts is used', () => {
    expect(at(0)).toBe(5);
    expect(at(-1)).toBe(5);
    expect(at(Number.NaN)).toBe(5);
    expect(at(1)).toBe(1);
  });

  test('Zoom’s example format is read as ISO 8601 UTC, never by the engine’s legacy parser', () => {
    // The legacy parser reads "0001-…" as 2001 (and in the host's zone): ISO keeps year 1.
    expect(at('0001-01-01 00:00:00')).toBe(-62_135_596_800_000);
    // Only that exact shape: with a zone after it, the text is read as it stands.
    expect(at('2024-09-08 15:58:40 +0900')).toBe(Date.UTC(2024, 8, 8, 6, 58, 40));
    // A leading space is not that shape either.
    expect(at(' 2024-09-08 15:58:40')).toBe(Date.parse(' 2024-09-08 15:58:40'));
  });

  test('a text of more than 64 characters is not read as a time', () => {
    const long = (n: number): string => `2025-06-08T06:55:26.${'2'.repeat(n - 21)}Z`;
    expect(long(64)).toHaveLength(64);
    expect(at(long(64))).toBe(Date.UTC(2025, 5, 8, 6, 55, 26, 222));
    expect(at(long(65))).toBe(5);
  });
});
