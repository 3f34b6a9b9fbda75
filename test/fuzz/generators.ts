import { createHmac } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import { gzipSync } from 'node:zlib';
import type { FuzzRequest, Header } from './client';
import type { Rng } from './prng';
import type { RouteTable } from './route-table';
import {
  headerValue,
  nastyBytes,
  paramString,
  pctEncode,
  PERCENT_JUNK,
  pieces,
  PRINTABLE,
  urlValue,
  utf8,
} from './values';

/** What the generators know about the app under test: one signed-in user (Ada). */
export interface FuzzContext {
  readonly host: string;
  readonly port: number;
  /** Ada's session cookie value, as the browser holds it (`s%3A<sid>.<signature>`). */
  readonly adaCookie: string;
  /** Ada's real CSRF token. */
  readonly csrf: string;
  readonly adaId: string;
  /** Real ids a route's `:id` may name: Ada's assistants and the people she assists. */
  readonly sampleIds: readonly string[];
  /** What to aim at, from the app's own route table (`fuzzRoutes`). */
  readonly routes: FuzzRoutes;
  readonly sessionSecret: string;
  readonly webhookSecret: string;
  readonly clientId: string;
  /**
   * Real pending sign-ins (a session cookie and a `state` it holds, from GET /install), each
   * used once, in order, by the callback generator; when they run out it falls back.
   */
  readonly pending: Array<{ readonly cookie: string; readonly state: string }>;
}

export type Generator = (rng: Rng, ctx: FuzzContext) => FuzzRequest;

const SESSION_COOKIE = 'zar.sid';
const MAX_VALUE = 100_000;
const FORM = 'application/x-www-form-urlencoded';
const QUERY_NAMES = ['code', 'state', 'error', '_csrf', 'count', 'confirm', 'email', 'id', 'x'];
const FORM_NAMES = ['_csrf', 'count', 'confirm', 'email', 'code', 'state'];
const WEBHOOK = '/webhooks/zoom';
/** Ends the session under test: never sent with Ada's real CSRF token. */
const LOGOUT = '/logout';
/** Sent with Ada's real CSRF token but never confirmed: that would end the session under test. */
const DISCONNECT = '/disconnect';
/** A file under each mount (public/app.css, which every page links). */
const MOUNT_SAMPLE = 'app.css';

export interface FuzzRoutes {
  /** Every route's path (`:params` in it), and a file under each mount. */
  readonly all: readonly string[];
  /** The routes a page's forms post to: every POST route but Zoom's webhook. */
  readonly forms: readonly string[];
  readonly table: RouteTable;
}

export function fuzzRoutes(table: RouteTable): FuzzRoutes {
  const paths = [...new Set(table.routes.map((r) => r.path))];
  return {
    all: [...paths, ...table.mounts.map((m) => `${m}/${MOUNT_SAMPLE}`)],
    forms: [...new Set(table.routes.filter((r) => r.method === 'POST').map((r) => r.path))].filter(
      (p) => p !== WEBHOOK,
    ),
    table,
  };
}

// ---------------------------------------------------------------- paths

const UNKNOWN_PATHS = [
  '/.env',
  '/package.json',
  '/src/app.ts',
  '/views/dashboard.eta',
  '/_sandbox/reset',
  '/oauth/authorize',
  '/oauth/token',
  '/v2/users/me',
  '/admin',
  '/assistants',
  '/assistants/',
  '/assistants//remove',
  '/assistants/x/remove/extra',
  '/webhooks',
  '/webhooks/zoom/extra',
  '/favicon.ico',
  '/static',
  '/static/',
  '/static/favicon.svg/',
  '/healthz/x',
  '*',
  '',
];

/** A path for a route, with the spellings a lenient router may or may not accept. */
function routePath(rng: Rng, ctx: FuzzContext, route: string): string {
  const p = route.replace(/:[A-Za-z_]+/g, () => pathId(rng, ctx));
  switch (rng.int(0, 12)) {
    case 0:
      return p.toUpperCase();
    case 1:
      return `${p}/`;
    case 2:
      return `/${p}`;
    case 3:
      return p.replace(/^\//, '/./');
    case 4:
      return `${p};jsessionid=${urlValue(rng, 32)}`;
    case 5:
      return p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
    case 6:
      return `http://${rng.pick(['evil.example', `${ctx.host}:${ctx.port}`, ''])}${p}`;
    default:
      return p;
  }
}

function pathId(rng: Rng, ctx: FuzzContext): string {
  if (rng.chance(0.4)) return rng.pick(ctx.sampleIds);
  return rng.pick([
    urlValue(rng, 300),
    pieces(rng, PERCENT_JUNK, 3),
    '..',
    '%2e%2e',
    '..%2f..%2fhealthz',
    'me',
    'a'.repeat(rng.int(60, 5000)),
    `${rng.pick(ctx.sampleIds)}%00`,
    pctEncode(utf8('😀\u202e')),
  ]);
}

function anyPath(rng: Rng, ctx: FuzzContext): string {
  if (rng.chance(0.15)) {
    return rng.chance(0.5) ? rng.pick(UNKNOWN_PATHS) : `/${urlValue(rng, 2000)}`;
  }
  return routePath(rng, ctx, rng.pick(ctx.routes.all));
}

// ---------------------------------------------------------------- cookies and tokens

function sign(sid: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${sid}.${mac}`);
}

function flipOneChar(rng: Rng, s: string, alphabet: string): string {
  if (s.length === 0) return 'x';
  const i = rng.int(0, s.length - 1);
  let c = rng.pick(Array.from(alphabet));
  if (c === s[i]) c = c === 'A' ? 'B' : 'A';
  return s.slice(0, i) + c + s.slice(i + 1);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A session cookie value that is not Ada's valid one. */
function tamperedCookie(rng: Rng, ctx: FuzzContext): string {
  const decoded = decodeURIComponent(ctx.adaCookie); // s:<sid>.<sig>
  const dot = decoded.lastIndexOf('.');
  const sid = decoded.slice(2, dot);
  const sig = decoded.slice(dot + 1);
  switch (rng.int(0, 11)) {
    case 0: // a bit flipped in the signature
      return encodeURIComponent(`s:${sid}.${flipOneChar(rng, sig, B64)}`);
    case 1: // a bit flipped in the session id, signature kept
      return encodeURIComponent(`s:${flipOneChar(rng, sid, B64)}.${sig}`);
    case 2: // unsigned session id
      return encodeURIComponent(rng.chance(0.5) ? sid : `s:${sid}`);
    case 3: // Ada's id signed with another secret
      return sign(sid, 'not-the-session-secret');
    case 4: // a validly signed id of a session that does not exist
      return sign(rng.string(rng.int(1, 40), B64), ctx.sessionSecret);
    case 5: // a validly signed hostile id (the store reads a key made of it)
      return sign(
        rng.pick(['*', '../../x', `${ctx.adaId}`, 'tokens:x', '\u202e', '']),
        ctx.sessionSecret,
      );
    case 6:
      return ctx.adaCookie.slice(0, rng.int(0, ctx.adaCookie.length - 1));
    case 7:
      return `${ctx.adaCookie}${rng.pick(['x', '%', '%zz', '.', ';'])}`;
    case 8:
      return pieces(rng, PERCENT_JUNK);
    case 9:
      return 'A'.repeat(rng.chance(0.5) ? rng.int(4000, 12000) : rng.int(17000, 40000));
    case 10:
      return pctEncode(nastyBytes(rng, 200));
    default:
      return nastyBytes(rng, 200);
  }
}

function cookieHeader(rng: Rng, ctx: FuzzContext): Header {
  switch (rng.int(0, 6)) {
    case 0: // other cookie names
      return [
        'Cookie',
        `${rng.pick(['connect.sid', 'ZAR.SID', 'zar_sid', 'zar.sid ', ' zar.sid', 'sid'])}=${ctx.adaCookie}`,
      ];
    case 1: // many cookies
      return [
        'Cookie',
        Array.from({ length: rng.int(50, 800) }, (_, i) => `c${i}=${rng.string(4, B64)}`).join(
          '; ',
        ),
      ];
    case 2: // the session cookie twice, forged first
      return ['Cookie', `${SESSION_COOKIE}=${tamperedCookie(rng, ctx)}; ${SESSION_COOKIE}=x`];
    case 3: // garbage around the session cookie
      return [
        'Cookie',
        `;;=;${SESSION_COOKIE}=${tamperedCookie(rng, ctx)};=x;${headerValue(rng, 64)}`,
      ];
    default:
      return ['Cookie', `${SESSION_COOKIE}=${tamperedCookie(rng, ctx)}`];
  }
}

function adaCookieHeader(ctx: FuzzContext): Header {
  return ['Cookie', `${SESSION_COOKIE}=${ctx.adaCookie}`];
}

/** No cookie, Ada's real session, or a tampered one. */
function someSession(rng: Rng, ctx: FuzzContext): Header[] {
  const r = rng.next();
  if (r < 0.4) return [adaCookieHeader(ctx)];
  if (r < 0.55) return [cookieHeader(rng, ctx)];
  return [];
}

/** A CSRF token that is not Ada's (never equal to it, however it is decoded). */
function forgedCsrf(rng: Rng, real: string): string {
  const forged = ((): string => {
    switch (rng.int(0, 9)) {
      case 0:
        return flipOneChar(rng, real, '0123456789abcdef');
      case 1:
        return real.slice(0, rng.int(0, real.length - 1));
      case 2:
        return `${real}${rng.pick(['0', 'x', ' ', '\u0000'])}`;
      case 3:
        return real.toUpperCase();
      case 4:
        return '';
      case 5:
        return rng.string(real.length, '0123456789abcdef');
      case 6:
        return ` ${real}`;
      case 7:
        return Array.from(real).reverse().join('');
      case 8:
        return 'A'.repeat(rng.int(100, 3000));
      default:
        return nastyBytes(rng, 300);
    }
  })();
  return forged === real ? `${real}x` : forged;
}

// ---------------------------------------------------------------- bodies and headers

const CONTENT_TYPES = [
  FORM,
  `${FORM}; charset=utf-8`,
  `${FORM}; charset=utf-7`,
  `${FORM}; charset=latin1`,
  `${FORM}; charset=`,
  `${FORM};;;;`,
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'text/html',
  'multipart/form-data; boundary=----x',
  'multipart/form-data',
  'application/octet-stream',
  'a/b/c',
  '*/*',
  ';',
  '',
];

function contentType(rng: Rng): Header[] {
  if (rng.chance(0.15)) return [];
  return [['Content-Type', rng.chance(0.1) ? headerValue(rng, 200) : rng.pick(CONTENT_TYPES)]];
}

const GZIP_BOMB = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x61));

function contentEncoding(rng: Rng): Header[] {
  if (rng.chance(0.92)) return [];
  return [
    [
      'Content-Encoding',
      rng.pick(['gzip', 'deflate', 'br', 'identity', 'x-bogus', 'gzip, gzip', 'GZIP']),
    ],
  ];
}

/** A form body with forged or no CSRF token. */
function forgedFormBody(rng: Rng, ctx: FuzzContext): string {
  const fields: string[] = [];
  switch (rng.int(0, 5)) {
    case 0:
      break; // no token at all
    case 1: // the token twice: an array, not a string
      fields.push(
        `_csrf=${pctEncode(forgedCsrf(rng, ctx.csrf))}`,
        `_csrf=${pctEncode(forgedCsrf(rng, ctx.csrf))}`,
      );
      break;
    case 2:
      fields.push(
        `${rng.pick(['_csrf[]', '_csrf[a]', '_CSRF', 'csrf', '_csrf '])}=${pctEncode(forgedCsrf(rng, ctx.csrf))}`,
      );
      break;
    default:
      fields.push(
        `_csrf=${rng.chance(0.7) ? pctEncode(forgedCsrf(rng, ctx.csrf)) : forgedCsrf(rng, ctx.csrf)}`,
      );
  }
  const rest = paramString(rng, FORM_NAMES.slice(1), MAX_VALUE);
  if (rest) fields.push(rest);
  return fields.join('&');
}

// ---------------------------------------------------------------- generators

/** GET/HEAD on any route with a hostile query string. */
function queryFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const q = paramString(rng, QUERY_NAMES, MAX_VALUE);
  return {
    label: 'query',
    method: rng.pick(['GET', 'GET', 'GET', 'HEAD']),
    target: `${anyPath(rng, ctx)}?${q}${rng.chance(0.05) ? `#${urlValue(rng, 64)}` : ''}`,
    headers: someSession(rng, ctx),
  };
}

/** The OAuth callback with every combination of missing, repeated and hostile code/state/error. */
function callbackFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const value = (): string =>
    rng.pick([
      '',
      rng.string(rng.int(1, 64), B64),
      'x'.repeat(rng.int(2040, 2060)),
      'x'.repeat(rng.int(2049, 12000)),
      urlValue(rng, 3000),
      pieces(rng, PERCENT_JUNK),
    ]);
  const parts: string[] = [];
  for (const name of ['code', 'state', 'error']) {
    const p = name === 'error' ? 0.3 : 0.75;
    if (!rng.chance(p)) continue;
    const key = rng.chance(0.1) ? `${name}${rng.pick(['[]', '[a]', '[__proto__]'])}` : name;
    const v =
      name === 'error' && rng.chance(0.5)
        ? rng.pick(['access_denied', 'invalid_request', 'server_error', 'ACCESS_DENIED'])
        : value();
    parts.push(`${key}=${v}`);
    if (rng.chance(0.12)) parts.push(`${key}=${value()}`); // repeated: an array
  }
  if (rng.chance(0.2)) parts.push(paramString(rng, QUERY_NAMES, 2000));
  return {
    label: 'callback',
    method: 'GET',
    target: `${routePath(rng, ctx, '/oauth/callback')}?${parts.join('&')}`,
    headers: someSession(rng, ctx),
  };
}

/** The callback with a real pending state (or a near miss) and a hostile code or error. */
function pendingCallbackFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const p = ctx.pending.shift();
  if (!p) return callbackFuzz(rng, ctx);
  const state = rng.pick([
    p.state,
    p.state,
    p.state,
    flipOneChar(rng, p.state, B64),
    `${p.state}&state=${p.state}`,
    `${p.state}%00`,
  ]);
  const code = rng.pick([
    pctEncode(nastyBytes(rng, 2048)),
    pctEncode(nastyBytes(rng, 2048)),
    rng.string(rng.int(1, 64), B64),
    urlValue(rng, 2048),
    '',
  ]);
  const error = rng.chance(0.15)
    ? `&error=${rng.pick(['access_denied', 'server_error', urlValue(rng, 64)])}`
    : '';
  return {
    label: 'pending-callback',
    method: 'GET',
    target: `/oauth/callback?state=${state}&code=${code}${error}`,
    headers: [['Cookie', p.cookie]],
  };
}

/** Form posts with forged, missing or malformed CSRF tokens, signed out and signed in. */
function forgedFormFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  let body = forgedFormBody(rng, ctx);
  if (rng.chance(0.05)) body += `&pad=${'p'.repeat(rng.int(2048, MAX_VALUE))}`;
  let payload = Buffer.from(body, 'latin1');
  const encoding = contentEncoding(rng);
  if (encoding[0]?.[1] === 'gzip') payload = rng.chance(0.5) ? GZIP_BOMB : gzipSync(payload);
  if (rng.chance(0.1)) payload = Buffer.from(JSON.stringify({ _csrf: forgedCsrf(rng, ctx.csrf) }));
  return {
    label: 'forged-form',
    method: 'POST',
    target:
      routePath(rng, ctx, rng.pick(ctx.routes.forms)) +
      (rng.chance(0.2) ? `?${paramString(rng, QUERY_NAMES, 500)}` : ''),
    headers: [...someSession(rng, ctx), ...contentType(rng), ...encoding],
    body: rng.chance(0.05) ? undefined : payload,
  };
}

/**
 * Ada's real session and CSRF token with hostile fields: the requests that get past CSRF.
 * Never /logout and never a confirmed /disconnect: those would end the session under test.
 */
function signedInActionFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const route = rng.pick(ctx.routes.forms.filter((r) => r !== LOGOUT));
  const fields = [`_csrf=${pctEncode(ctx.csrf)}`];
  const extra = (name: string): string =>
    `${name}=${rng.chance(0.7) ? pctEncode(nastyBytes(rng, 300)) : urlValue(rng, 300)}`;
  for (let i = rng.int(0, 4); i > 0; i--) {
    fields.push(extra(rng.pick(['count', 'email', 'confirm', 'x', 'count[]', '__proto__'])));
  }
  // Clearing and stepping down from all may really happen (confirm=yes); disconnecting must not.
  const confirms = ['', 'no', 'YES', 'Yes', 'yes%20', '%20yes', 'yes%00', 'y', 'on', 'true'];
  if (route !== DISCONNECT && !route.includes(':')) {
    confirms.push('yes', 'yes', 'yes', 'yes&confirm=yes');
  }
  if (!route.includes(':') && rng.chance(0.9)) {
    fields.push(`confirm=${rng.pick(confirms)}`);
  }
  if (rng.chance(0.1)) fields.push(...Array.from({ length: 12 }, (_, i) => `f${i}=1`));
  if (rng.chance(0.05)) fields.push(`pad=${'p'.repeat(rng.int(2048, 20_000))}`);
  let body = fields.join('&');
  if (route === DISCONNECT && parseQuery(body).confirm === 'yes') {
    body = body.replace(/confirm=/g, 'confirm=no');
  }
  const contentTypes = [FORM, FORM, FORM, `${FORM}; charset=utf-8`, `${FORM}; charset=latin1`];
  return {
    label: 'signed-in-action',
    method: 'POST',
    target: routePath(rng, ctx, route),
    headers: [adaCookieHeader(ctx), ['Content-Type', rng.pick(contentTypes)]],
    body: Buffer.from(body, 'latin1'),
  };
}

const METHODS = [
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'HEAD',
  'CONNECT',
  'PROPFIND',
  'MKCOL',
  'LINK',
  'PURGE',
  'SEARCH',
  'QUERY',
  'BREW',
  'FOO',
  'get',
  'Post',
  'G_T',
  'X'.repeat(200),
];

/** Wrong and made-up methods on every route. */
function methodFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const hasBody = rng.chance(0.4);
  return {
    label: 'method',
    method: rng.pick(METHODS),
    target: anyPath(rng, ctx),
    headers: [...someSession(rng, ctx), ...(hasBody ? contentType(rng) : [])],
    body: hasBody ? Buffer.from(forgedFormBody(rng, ctx), 'latin1') : undefined,
  };
}

function signature(secret: string, ts: string, body: Buffer): string {
  const mac = createHmac('sha256', secret).update(`v0:${ts}:`, 'utf8').update(body).digest('hex');
  return `v0=${mac}`;
}

/** A JSON-ish webhook body: broken, not an event, or an event with hostile fields. */
function webhookBody(rng: Rng, ctx: FuzzContext): Buffer {
  const foreignUser = `fz${rng.string(rng.int(1, 30), 'abcdefghijklmnopqrstuvwxyz0123456789_-')}`;
  const bodies = [
    () => '',
    () => '{',
    () => '{"event":',
    () => '{"event":"app_deauthorized","payload":{"user_id":"' + foreignUser,
    () => 'null',
    () => '[]',
    () => '"app_deauthorized"',
    () => '1e309',
    () => '['.repeat(rng.int(1000, 20000)),
    () => '{"a":'.repeat(rng.int(100, 5000)) + '1' + '}'.repeat(10),
    () => JSON.stringify({ event: '' }),
    () => JSON.stringify({ event: 'x'.repeat(129) }),
    () => JSON.stringify({ event: ['app_deauthorized'] }),
    () => JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: 42 } }),
    () =>
      JSON.stringify({
        event: 'endpoint.url_validation',
        payload: {
          plainToken: rng.pick([
            '',
            'x'.repeat(257),
            'x'.repeat(256),
            '\u202e😀\u200b',
            '\ud800',
            '<script>',
            rng.string(rng.int(1, 64), PRINTABLE),
          ]),
        },
      }),
    () => '{"event":"endpoint.url_validation","payload":{"plainToken":"\\ud800\\udc00\\udfff"}}',
    () => JSON.stringify({ event: 'endpoint.url_validation', payload: null }),
    () => JSON.stringify({ event: 'app_deauthorized' }),
    () => JSON.stringify({ event: 'app_deauthorized', payload: [] }),
    () => JSON.stringify({ event: 'app_deauthorized', payload: { user_id: foreignUser } }),
    () =>
      JSON.stringify({
        event: 'app_deauthorized',
        payload: {
          user_id: rng.pick(['', ' ', '*', '../x', 'a'.repeat(65), '\u202e', 42, null, {}]),
        },
      }),
    // Ada's id, but for another app: must be ignored.
    () =>
      JSON.stringify({
        event: 'app_deauthorized',
        event_ts: rng.pick([1, 'x', null, {}, 'x'.repeat(10_000)]),
        payload: {
          user_id: ctx.adaId,
          client_id: rng.pick(['someone-else', '', ctx.clientId.toUpperCase(), `${ctx.clientId} `]),
        },
      }),
    () =>
      '{"event":"app_deauthorized","__proto__":{"event":"x"},"payload":{"__proto__":{"user_id":"' +
      foreignUser +
      '"}}}',
    () => JSON.stringify({ event: 'meeting.started', payload: { object: {} } }),
    () => rng.bytes(rng.int(1, 2000)).toString('latin1'),
    () => nastyBytes(rng, 20000),
    () => utf8('{"event":"\u202e😀","payload":{}}'),
    () => '\xef\xbb\xbf{"event":"x"}',
  ];
  return Buffer.from(rng.pick(bodies)(), 'latin1');
}

/** Zoom webhook notifications: bad, stale and wrong-secret signatures, broken bodies. */
function webhookFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const body = webhookBody(rng, ctx);
  const now = Math.floor(Date.now() / 1000);
  let ts = String(now);
  let secret = ctx.webhookSecret;
  const headers: Header[] = [];
  const sig = (): string => signature(secret, ts, body);
  switch (rng.int(0, 11)) {
    case 0: // no signature headers
      break;
    case 1:
      headers.push(['x-zm-request-timestamp', ts]);
      break;
    case 2:
      headers.push(['x-zm-signature', sig()]);
      break;
    case 3: // stale or future timestamp, correctly signed
      ts = String(now + rng.pick([-301, -600, -86_400, -now, 301, 100_000]));
      headers.push(['x-zm-request-timestamp', ts], ['x-zm-signature', sig()]);
      break;
    case 4: // malformed timestamp
      ts = rng.pick([
        '',
        'abc',
        '1e9',
        '-1',
        ` ${now}`,
        '0x10',
        `${now}000`,
        `${now}.5`,
        '9'.repeat(13),
      ]);
      headers.push(['x-zm-request-timestamp', ts], ['x-zm-signature', sig()]);
      break;
    case 5: // valid-looking signature with a wrong secret
      secret = rng.pick([
        '',
        'wrong-secret',
        ctx.webhookSecret.toUpperCase(),
        `${ctx.webhookSecret} `,
      ]);
      headers.push(['x-zm-request-timestamp', ts], ['x-zm-signature', sig()]);
      break;
    case 6: // almost the right signature
      headers.push(
        ['x-zm-request-timestamp', ts],
        [
          'x-zm-signature',
          rng.pick([
            sig().toUpperCase(),
            sig().replace('v0=', 'v1='),
            `${sig()} `,
            sig().slice(0, -1),
            `${sig()}0`,
            'v0=',
            'v0=' + 'z'.repeat(64),
            headerValue(rng, 200),
          ]),
        ],
      );
      break;
    case 7: // the headers twice
      headers.push(
        ['x-zm-request-timestamp', ts],
        ['x-zm-request-timestamp', ts],
        ['x-zm-signature', sig()],
        ['x-zm-signature', sig()],
      );
      break;
    default: // correctly signed: the body itself is what is hostile
      headers.push(['x-zm-request-timestamp', ts], ['x-zm-signature', sig()]);
  }
  return {
    label: 'webhook',
    method: 'POST',
    target: rng.chance(0.9) ? WEBHOOK : routePath(rng, ctx, WEBHOOK),
    headers: [...headers, ...contentType(rng), ...someSessionRarely(rng, ctx)],
    body,
  };
}

function someSessionRarely(rng: Rng, ctx: FuzzContext): Header[] {
  return rng.chance(0.1) ? someSession(rng, ctx) : [];
}

/** Oversized webhook bodies: 64 KB+ complete, multi-MB cut short, chunked, a gzip bomb. */
function webhookOversizeFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const ts = String(Math.floor(Date.now() / 1000));
  const signed = (body: Buffer): Header[] => [
    ['x-zm-request-timestamp', ts],
    ['x-zm-signature', signature(ctx.webhookSecret, ts, body)],
    ['Content-Type', 'application/json'],
  ];
  const base = { label: 'webhook-oversize', method: 'POST', target: WEBHOOK } as const;
  switch (rng.int(0, 4)) {
    case 0: {
      const body = Buffer.from(
        JSON.stringify({ event: 'x', pad: 'p'.repeat(rng.int(65 * 1024, 300 * 1024)) }),
      );
      return { ...base, headers: signed(body), body };
    }
    case 1: {
      // A multi-MB body announced, part of it sent, then the connection half-closed.
      const declared = rng.int(1, 8) * 1024 * 1024;
      const sent = Buffer.alloc(rng.int(1, 1024) * 1024, 0x7b);
      return {
        ...base,
        headers: [...signed(sent), ['Content-Length', String(declared)]],
        body: sent,
        cutShort: true,
      };
    }
    case 2: {
      // Under the limit announced, cut short.
      const sent = Buffer.from('{"event":"app_deauthorized","payload":{"user_id":"');
      return {
        ...base,
        headers: [...signed(sent), ['Content-Length', String(rng.int(1000, 60_000))]],
        body: sent,
        cutShort: true,
      };
    }
    case 3: {
      const chunk = `${(32 * 1024).toString(16)}\r\n${'a'.repeat(32 * 1024)}\r\n`;
      const body = Buffer.from(
        `${chunk.repeat(rng.int(1, 6))}${rng.chance(0.5) ? '0\r\n\r\n' : ''}`,
      );
      return {
        ...base,
        headers: [['Transfer-Encoding', 'chunked'], ...signed(body)],
        body,
        cutShort: !body.toString('latin1').endsWith('0\r\n\r\n'),
      };
    }
    default:
      return {
        ...base,
        headers: [...signed(GZIP_BOMB), ['Content-Encoding', 'gzip']],
        body: GZIP_BOMB,
      };
  }
}

const TRAVERSALS = [
  '../../package.json',
  '../package.json',
  '..%2f..%2fpackage.json',
  '%2e%2e/%2e%2e/package.json',
  '%2e%2e%2f%2e%2e%2fpackage.json',
  '..%5c..%5cpackage.json',
  '..\\..\\package.json',
  '....//....//package.json',
  '%252e%252e%252fpackage.json',
  '%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
  '%c0%af..%c0%afpackage.json',
  '..;/..;/package.json',
  '.%2e/.%2e/src/config.ts',
  '%2e%2e/%2e%2e/.env',
  '../views/dashboard.eta',
  '../../src/http/session.ts',
  '/etc/passwd',
  '//etc/passwd',
  '%2fetc%2fpasswd',
  'app.css%00.js',
  'app.css\x00',
  'app.css/',
  'app.css/..',
  'app.css%2f..%2f..%2fpackage.json',
  './app.css',
  'APP.CSS',
  '.env',
  '.git/config',
];

/** Path traversal and encoding tricks under /static, and elsewhere. */
function traversalFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const t = rng.pick(TRAVERSALS);
  const target = rng.pick([
    `/static/${t}`,
    `/static/${t}`,
    `/${t}`,
    `/static/${pieces(rng, ['..', '%2e%2e', '.', '%2f', '/', '\\', '%5c', '%00'], 12)}package.json`,
    `/static/${urlValue(rng, 500)}`,
  ]);
  const headers: Header[] = rng.chance(0.3)
    ? [
        [
          rng.pick(['Range', 'If-None-Match', 'If-Modified-Since', 'Accept-Encoding']),
          rng.pick([
            'bytes=0-0,1-1,2-2,3-3,4-4,5-5',
            'bytes=999999999-',
            'bytes=-0',
            'bytes=abc',
            Array.from({ length: 500 }, (_, i) => `${i}-${i}`).join(','),
            '*',
            'W/"x"',
            'Thu, 01 Jan 1970 00:00:00 GMT',
            headerValue(rng, 300),
          ]),
        ],
      ]
    : [];
  return {
    label: 'traversal',
    method: rng.pick(['GET', 'HEAD']),
    target,
    headers: [...headers, ...someSessionRarely(rng, ctx)],
  };
}

const HEADER_NAMES = [
  'X-Forwarded-For',
  'X-Forwarded-Proto',
  'X-Forwarded-Host',
  'X-Request-ID',
  'Host',
  'Accept',
  'Accept-Language',
  'Accept-Encoding',
  'Origin',
  'Referer',
  'User-Agent',
  'Authorization',
  'Content-Type',
  'X-HTTP-Method-Override',
  'Forwarded',
];

/** Hostile header values, huge and many headers, odd hosts and forwarding headers. */
function headerFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const headers: Header[] = [];
  let omitHost = false;
  switch (rng.int(0, 7)) {
    case 0:
      headers.push([
        'X-Forwarded-For',
        rng.pick([
          'fe80::1%eth0',
          '::ffff:1.2.3.4',
          '1::',
          'unknown',
          '',
          ' , , ',
          '999.999.999.999',
          '127.0.0.1, 10.0.0.1, ::1',
          Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(','),
          headerValue(rng, 500),
        ]),
      ]);
      break;
    case 1:
      headers.push(['X-Request-ID', headerValue(rng, 400)]);
      break;
    case 2: // the Host header: odd, missing, repeated
      if (rng.chance(0.3)) omitHost = true;
      else
        headers.push([
          'Host',
          rng.pick([
            '',
            'evil.example',
            '[::1',
            'a'.repeat(2000),
            '127.0.0.1:99999',
            headerValue(rng, 100),
          ]),
        ]);
      if (rng.chance(0.2)) headers.push(['Host', 'second.example']);
      break;
    case 3: // one huge header
      headers.push([
        rng.pick(HEADER_NAMES),
        'h'.repeat(rng.chance(0.5) ? rng.int(8000, 15000) : rng.int(17000, 100_000)),
      ]);
      break;
    case 4: // many headers
      for (let i = rng.int(100, 3000); i > 0; i--) headers.push([`X-F${i}`, String(i)]);
      break;
    case 5:
      headers.push(['Expect', rng.pick(['100-continue', 'garbage', '100-Continue, x'])]);
      break;
    case 6: // odd header names
      headers.push([
        rng.pick(['X Y', 'X:Y', '', 'X-\u0000', '(', 'X-é', utf8('X-😀'), 'x'.repeat(5000)]),
        'v',
      ]);
      break;
    default:
      for (let i = rng.int(1, 6); i > 0; i--) {
        headers.push([rng.pick(HEADER_NAMES), headerValue(rng, 2000)]);
      }
  }
  return {
    label: 'header',
    method: rng.pick(['GET', 'GET', 'POST', 'HEAD']),
    target: anyPath(rng, ctx),
    headers: [...headers, ...someSession(rng, ctx)],
    omitHost,
  };
}

/** Tampered, foreign, huge and numerous session cookies, on pages and forms. */
function cookieFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const route = rng.pick(['/', '/', '/', '/install', '/oauth/callback', ...ctx.routes.forms]);
  const isForm = ctx.routes.forms.includes(route);
  return {
    label: 'cookie',
    method: isForm ? 'POST' : 'GET',
    target: routePath(rng, ctx, route) + (route === '/oauth/callback' ? '?code=x&state=y' : ''),
    headers: [cookieHeader(rng, ctx), ...(isForm ? [['Content-Type', FORM] as const] : [])],
    body: isForm ? Buffer.from(forgedFormBody(rng, ctx), 'latin1') : undefined,
  };
}

/** Hand-made byte streams: broken request lines, CRLF injection, smuggling, other protocols. */
function wireFuzz(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const host = `Host: ${ctx.host}:${ctx.port}\r\n`;
  const end = 'Connection: close\r\n\r\n';
  const path = (): string => rng.pick(['/', '/install', '/healthz', '/webhooks/zoom', '/logout']);
  const cases: Array<() => { bytes: string; cutShort?: boolean }> = [
    () => ({ bytes: 'GET\r\n\r\n' }),
    () => ({ bytes: `GET ${path()} HTTP/9.9\r\n${host}${end}` }),
    () => ({ bytes: `GET ${path()} HTTP/1.1`, cutShort: true }),
    () => ({ bytes: `GET ${path()}\r\n\r\n` }),
    () => ({ bytes: `GET  ${path()}  HTTP/1.1\r\n${host}${end}` }),
    () => ({ bytes: `GET ${path()} HTTP/1.0\r\n\r\n` }),
    () => ({ bytes: `get ${path()} HTTP/1.1\r\n${host}${end}` }),
    () => ({ bytes: `OPTIONS * HTTP/1.1\r\n${host}${end}` }),
    () => ({ bytes: `GET http://evil.example/install HTTP/1.1\r\n${host}${end}` }),
    () => ({ bytes: `GET //evil.example/ HTTP/1.1\r\n${host}${end}` }),
    () => ({ bytes: `GET /${nastyBytes(rng, 300)} HTTP/1.1\r\n${host}${end}` }),
    () => ({ bytes: `GET /?a=\x00b HTTP/1.1\r\n${host}${end}` }),
    () => ({ bytes: rng.bytes(rng.int(1, 300)).toString('latin1'), cutShort: true }),
    () => ({ bytes: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', cutShort: true }),
    () => ({ bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' }),
    // CRLF (and bare CR / LF) in header values: a second header or a response split.
    () => ({
      bytes: `GET ${path()} HTTP/1.1\r\n${host}X-Request-ID: abc${rng.pick(['\r\n', '\n', '\r', '%0d%0a'])}Set-Cookie: fuzzinjected=1\r\n${end}`,
    }),
    () => ({
      bytes: `GET ${path()} HTTP/1.1\r\n${host}Cookie: ${SESSION_COOKIE}=${ctx.adaCookie}\rfuzzinjected: 1\r\n${end}`,
    }),
    () => ({ bytes: `GET ${path()} HTTP/1.1\r\n${host}X-A: a\x00b\r\n${end}` }),
    () => ({ bytes: `GET ${path()} HTTP/1.1\r\n${host} folded: continuation\r\n${end}` }),
    () => ({ bytes: `GET ${path()} HTTP/1.1\r\n${host}NoColon\r\n${end}` }),
    // Request smuggling shapes.
    () => ({
      bytes: `POST /webhooks/zoom HTTP/1.1\r\n${host}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n${end}0\r\n\r\n`,
    }),
    () => ({
      bytes: `POST /logout HTTP/1.1\r\n${host}Content-Length: 3\r\nContent-Length: 40\r\n${end}a=b`,
    }),
    () => ({
      bytes: `POST /logout HTTP/1.1\r\n${host}Transfer-Encoding: ${rng.pick(['chunked, identity', 'xchunked', 'chunked\x0b', 'gzip, chunked'])}\r\n${end}3\r\nabc\r\n0\r\n\r\n`,
    }),
    () => ({
      bytes: `POST /assistants/clear HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n${end}zz\r\nabc\r\n0\r\n\r\n`,
    }),
    () => ({
      bytes: `POST /assistants/clear HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n${end}3;${'e'.repeat(rng.int(10, 20000))}\r\nabc\r\n0\r\n\r\n`,
    }),
    () => ({
      bytes: `POST /disconnect HTTP/1.1\r\n${host}Content-Length: -1\r\n${end}`,
    }),
    () => ({
      bytes: `POST /disconnect HTTP/1.1\r\n${host}Content-Length: 99999999999999999999\r\n${end}`,
    }),
    // Pipelined: keep-alive requests, then garbage on the same connection.
    () => ({
      bytes: `GET /healthz HTTP/1.1\r\n${host}\r\nGET /readyz HTTP/1.1\r\n${host}\r\n${rng.pick(['GARBAGE\r\n\r\n', `GET / HTTP/1.1\r\n${host}${end}`])}`,
    }),
    () => ({
      bytes: `GET / HTTP/1.1\r\n${host}Connection: Upgrade\r\nUpgrade: websocket\r\n${end}`,
    }),
    () => ({ bytes: `CONNECT ${ctx.host}:${ctx.port} HTTP/1.1\r\n${host}\r\n` }),
    () => ({ bytes: `${'A'.repeat(rng.int(100, 20000))} / HTTP/1.1\r\n${host}${end}` }),
    () => ({ bytes: `GET /${'a'.repeat(rng.int(15000, 120000))} HTTP/1.1\r\n${host}${end}` }),
  ];
  const c = rng.pick(cases)();
  return {
    label: 'wire',
    method: '',
    target: c.bytes.slice(0, 120),
    headers: [],
    rawBytes: Buffer.from(c.bytes, 'latin1'),
    cutShort: c.cutShort,
  };
}

/** A request of each generator, by weight. */
export const GENERATORS: ReadonlyArray<readonly [Generator, number]> = [
  [queryFuzz, 14],
  [callbackFuzz, 6],
  [pendingCallbackFuzz, 3],
  [forgedFormFuzz, 14],
  [signedInActionFuzz, 5],
  [methodFuzz, 6],
  [webhookFuzz, 14],
  [webhookOversizeFuzz, 2],
  [traversalFuzz, 6],
  [headerFuzz, 9],
  [cookieFuzz, 10],
  [wireFuzz, 6],
];

const TOTAL_WEIGHT = GENERATORS.reduce((n, [, w]) => n + w, 0);

export function generate(rng: Rng, ctx: FuzzContext): FuzzRequest {
  let r = rng.int(0, TOTAL_WEIGHT - 1);
  for (const [gen, w] of GENERATORS) {
    if (r < w) return gen(rng, ctx);
    r -= w;
  }
  throw new Error('unreachable');
}

/** Which route (or mount) a request was aimed at, for the coverage summary. */
export function routeOf(req: FuzzRequest, routes: FuzzRoutes): string {
  if (req.rawBytes) return 'wire';
  let p = req.target.split('?')[0] ?? '';
  p = p.replace(/^https?:\/\/[^/]*/i, '');
  try {
    p = decodeURIComponent(p);
  } catch {
    // keep it encoded
  }
  p = p.toLowerCase().replace(/\/+$/, '') || '/';
  const route = routes.table.routes.find((r) => patternOf(r.path).test(p));
  if (route) return route.path;
  return routes.table.mounts.find((m) => p.startsWith(`${m}/`)) ?? 'unknown';
}

function patternOf(path: string): RegExp {
  const escaped = path.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/:[a-z_]+/g, '[^/]+')}$`);
}
