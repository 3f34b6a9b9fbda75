import { createHmac } from 'node:crypto';
import {
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

  test('accepts Zoom’s v0 HMAC-SHA256 over v0:{timestamp}:{raw body}', () => {
    expect(verifySignature(ok, SECRET, NOW)).toEqual({ ok: true });
    expect(signatureFor(SECRET, TS, Buffer.from(body))).toBe(zoomSignature(body));
  });

  test('missing headers', () => {
    expect(verifySignature({ ...ok, signature: undefined }, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'missing_headers',
    });
    expect(verifySignature({ ...ok, timestamp: undefined }, SECRET, NOW).ok).toBe(false);
    expect(verifySignature({ ...ok, timestamp: '12a' }, SECRET, NOW).ok).toBe(false);
  });

  test('a timestamp outside ±5 minutes is stale, inside is fine', () => {
    expect(verifySignature(ok, SECRET, NOW + 301_000)).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifySignature(ok, SECRET, NOW - 301_000).ok).toBe(false);
    expect(verifySignature(ok, SECRET, NOW + 299_000).ok).toBe(true);
  });

  test('another secret, another body, another timestamp or a truncated signature → bad', () => {
    const bad = { ok: false, reason: 'bad_signature' };
    expect(verifySignature(ok, 'other', NOW)).toEqual(bad);
    expect(verifySignature({ ...ok, rawBody: Buffer.from(`${body} `) }, SECRET, NOW)).toEqual(bad);
    expect(verifySignature({ ...ok, timestamp: String(Number(TS) + 1) }, SECRET, NOW)).toEqual(bad);
    expect(verifySignature({ ...ok, signature: ok.signature.slice(0, -1) }, SECRET, NOW)).toEqual(
      bad,
    );
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
