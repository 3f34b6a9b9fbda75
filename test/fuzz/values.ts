import type { Rng } from './prng';

/**
 * Hostile values, as byte strings (one char per byte, latin-1): what goes on the wire as is.
 * Unicode text is encoded to UTF-8 bytes first; lone surrogates and overlong forms are the
 * invalid UTF-8 byte sequences a browser would never send.
 */

/** UTF-8 bytes of a string, as a byte string. */
export function utf8(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

const UNRESERVED = Array.from({ length: 256 }, (_, c) =>
  /^[A-Za-z0-9._~-]$/.test(String.fromCharCode(c)),
);
const HEX = '0123456789ABCDEF';

/** Percent-encodes every byte except the unreserved ones: the value survives any URL. */
export function pctEncode(bytes: string): string {
  const out = Buffer.alloc(bytes.length * 3);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i) & 0xff;
    if (UNRESERVED[c]) {
      out[n++] = c;
    } else {
      out[n++] = 0x25; // %
      out[n++] = HEX.charCodeAt(c >> 4);
      out[n++] = HEX.charCodeAt(c & 15);
    }
  }
  return out.toString('latin1', 0, n);
}

export const PRINTABLE =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

const UNICODE = [
  '\u202e', // right-to-left override
  '\u202d',
  '\u200f', // right-to-left mark
  '\u200b', // zero width space
  '\u200d', // zero width joiner
  '\u2060',
  '\ufeff', // byte order mark
  '\ufffd',
  '\uffff',
  '\u0301', // combining accent
  '😀',
  '👩\u200d💻',
  '🏳️\u200d🌈',
  'مرحبا',
  'שלום',
  'Ω≈ç√',
  'ß',
  '𝕏',
].map(utf8);

/** Encoded lone surrogates (CESU-style) and overlong / impossible UTF-8. */
const BAD_UTF8 = [
  '\xed\xa0\x80',
  '\xed\xbf\xbf',
  '\xed\xb0\x80',
  '\xc0\xaf',
  '\xc0\xae',
  '\xe0\x80\xaf',
  '\xf0\x80\x80\xaf',
  '\xc1\xbf',
  '\xff\xfe',
  '\xf8\x88\x80\x80\x80',
  '\x80',
];

export const PERCENT_JUNK = [
  '%',
  '%%',
  '%z',
  '%zz',
  '%2',
  '%G0',
  '%c0%af',
  '%e0%80%af',
  '%c0%ae%c0%ae',
  '%ED%A0%80',
  '%ed%b0%80',
  '%00',
  '%0d%0a',
  '%0a',
  '%ff%fe',
  '%u202e',
  '%E2%80%AE',
  '%E2%80%8B',
  '%F0%9F%98%80',
  '%25',
  '%252e%252e',
  '%%32%65',
  '%2e%2e%2f',
  '%5c',
  '%2f',
  '+',
];

export const SPECIAL = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '[]',
  '{}',
  '[object Object]',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x1f',
  '99999999999999999999',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '<%= it.user %>',
  '<%~ it %>',
  '{{7*7}}',
  '${7*7}',
  "' OR '1'='1",
  'javascript:alert(1)',
  '//evil.example',
  'https://evil.example/',
  'true',
  '1',
  '',
];

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).concat('\x7f');

/** One to `max` items of `list`, glued together. */
export function pieces(rng: Rng, list: readonly string[], max = 8): string {
  let s = '';
  for (let i = rng.int(1, max); i > 0; i--) s += rng.pick(list);
  return s;
}

/** A hostile value of up to `maxLen` bytes, any bytes at all. */
export function nastyBytes(rng: Rng, maxLen: number): string {
  if (maxLen > 2048 && rng.chance(0.03)) {
    return rng.pick(['A', '%', '\xff', 'é', '/', '[']).repeat(rng.int(2049, maxLen));
  }
  switch (rng.int(0, 7)) {
    case 0:
      return rng.string(rng.size(maxLen), PRINTABLE);
    case 1:
      return pieces(rng, PERCENT_JUNK);
    case 2:
      return pieces(rng, UNICODE);
    case 3:
      return pieces(rng, BAD_UTF8);
    case 4:
      return pieces(rng, CONTROL);
    case 5:
      return rng.pick(SPECIAL);
    case 6:
      return rng.bytes(rng.int(1, 64)).toString('latin1');
    default:
      return pieces(rng, [...UNICODE, ...SPECIAL, ...BAD_UTF8, 'x', '=', '&']);
  }
}

/**
 * A value for a URL: mostly percent-encoded (a well-formed URL carrying hostile content),
 * sometimes percent garbage, sometimes raw bytes that break the request line.
 */
export function urlValue(rng: Rng, maxLen: number): string {
  const r = rng.next();
  if (r < 0.55) return pctEncode(nastyBytes(rng, maxLen));
  if (r < 0.8) return pieces(rng, PERCENT_JUNK);
  return nastyBytes(rng, maxLen);
}

/** A value for a header: printable junk, unicode bytes, or control characters. */
export function headerValue(rng: Rng, maxLen: number): string {
  const r = rng.next();
  if (r < 0.5) return rng.string(rng.size(maxLen), PRINTABLE);
  if (r < 0.7) return pieces(rng, [...UNICODE, ...BAD_UTF8]);
  if (r < 0.85) return rng.pick(SPECIAL);
  return nastyBytes(rng, maxLen);
}

const PARAM_SHAPES = [
  'a',
  'a[b]',
  'a[]',
  'a[b][c]',
  'a[0]',
  'a.b',
  '__proto__',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  '[',
  ']',
  '',
  '%zz',
  '%00',
];

/** A query string (or form body) of hostile parameters, duplicates and array syntax included. */
export function paramString(rng: Rng, names: readonly string[], maxLen: number): string {
  const many = rng.chance(0.04);
  const n = many ? rng.int(20, 1200) : rng.int(0, 8);
  const max = many ? 64 : maxLen;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const base = rng.chance(0.65) ? rng.pick(names) : rng.pick(PARAM_SHAPES);
    const name = rng.chance(0.15)
      ? `${base}${rng.pick(['[]', '[x]', '[0]', '[__proto__]'])}`
      : base;
    if (rng.chance(0.08)) parts.push(name);
    else parts.push(`${name}=${urlValue(rng, max)}`);
    // The same parameter twice, as an array parser would see it.
    if (rng.chance(0.1)) parts.push(`${name}=${urlValue(rng, 64)}`);
  }
  return parts.join(rng.pick(['&', '&', '&', '&', ';', '&&', '&amp;']));
}
