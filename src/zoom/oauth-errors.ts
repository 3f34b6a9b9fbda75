import { parseRetryAfter, ZoomError } from './errors';
import { TokenResponseError } from './token-response';

/**
 * Every answer Zoom's token endpoint can give that is not a token, reduced to what the app does
 * about it. Zoom's refusals come in several shapes; how its numeric codes appear in a body is
 * not documented, so they are looked for anywhere in it.
 */

export type OAuthErrorKind =
  /** The code, the refresh token or the whole grant is dead: only a new install helps. */
  | 'grant_dead'
  /** Zoom refused the app itself (client id or secret, redirect URL): the operator's problem. */
  | 'invalid_client'
  /** Another refusal (4xx): the grant may be fine; not worth asking again at once. */
  | 'refused'
  /** The answer was a 200 without the fields a token response must have. */
  | 'bad_response'
  /** 429: the same kind as the REST API's (isRateLimited). */
  | 'rate_limited'
  /** 5xx, a timeout or a network failure: nothing is known to have changed. */
  | 'unavailable';

export interface OAuthErrorFields {
  readonly kind: OAuthErrorKind;
  readonly status?: number | null;
  /** Zoom's `error` field, only when it is a short OAuth error code. */
  readonly oauthError?: string | null;
  /** Zoom's numeric OAuth error code (4735 …), when the body names a known one. */
  readonly zoomCode?: number | null;
  readonly retryAfterSeconds?: number | null;
  readonly cause?: unknown;
}

export class OAuthError extends ZoomError {
  readonly kind: OAuthErrorKind;
  readonly status: number | null;
  readonly oauthError: string | null;
  readonly zoomCode: number | null;

  constructor(fields: OAuthErrorFields) {
    const { kind, status = null, oauthError = null, zoomCode = null } = fields;
    super(
      `Zoom OAuth ${kind}${status === null ? '' : ` [${status}${zoomCode === null ? '' : `/${zoomCode}`}]`}` +
        (oauthError ? ` ${oauthError}` : ''),
      kind,
      fields.retryAfterSeconds,
      fields.cause,
    );
    this.name = 'OAuthError';
    this.kind = kind;
    this.status = status;
    this.oauthError = oauthError;
    this.zoomCode = zoomCode;
  }
}

/**
 * Codes of a dead grant (Zoom's OAuth error page): 4735 the token's owner no longer exists,
 * 4738 disabled by the admin, 4740 used more times than its tolerance, 4741 revoked (a later
 * authorization invalidates earlier tokens).
 */
const DEAD_GRANT_CODES = [4735, 4738, 4740, 4741] as const;
/**
 * The app's own credentials: 4702/4704 invalid client or secret, 4706 client id or secret
 * missing; and 4709 (redirect URL not allowed) and 4717 (app disabled), which only the
 * operator can mend as well.
 */
const CLIENT_CODES = [4702, 4704, 4706, 4709, 4717] as const;
const KNOWN_CODES: readonly number[] = [...DEAD_GRANT_CODES, ...CLIENT_CODES];

const OAUTH_ERROR_CODE = /^[a-z_]{1,64}$/;
/** A known code as a whole token of the body, not part of a longer number or id. */
const CODE_IN_TEXT = new RegExp(`(?<![A-Za-z0-9])(${KNOWN_CODES.join('|')})(?![A-Za-z0-9])`);

export interface TokenEndpointAnswer {
  readonly status: number;
  /** The body as text (JSON or not). */
  readonly body: string;
  readonly retryAfter: string | null;
}

/** Maps a non-2xx answer of /oauth/token (or /oauth/revoke) to an OAuthError. */
export function classifyTokenRefusal(reply: TokenEndpointAnswer, now: number): OAuthError {
  const { status, body } = reply;
  const fields = jsonFields(body);
  const error = typeof fields.error === 'string' ? fields.error : null;
  const reason = typeof fields.reason === 'string' ? fields.reason.trim() : null;
  const code = Number(CODE_IN_TEXT.exec(body)?.[1] ?? NaN);
  const zoomCode = Number.isNaN(code) ? null : code;
  // Only a short OAuth error code is kept: anything else in the answer may be sensitive.
  const oauthError = error !== null && OAUTH_ERROR_CODE.test(error) ? error : null;

  const answer = { status, oauthError, zoomCode };
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(reply.retryAfter, now);
    return new OAuthError({ kind: 'rate_limited', ...answer, retryAfterSeconds });
  }
  if (status >= 500) return new OAuthError({ kind: 'unavailable', ...answer });
  const dead =
    oauthError === 'invalid_grant' ||
    reason?.toLowerCase() === 'invalid token!' ||
    (zoomCode !== null && (DEAD_GRANT_CODES as readonly number[]).includes(zoomCode));
  if (dead) return new OAuthError({ kind: 'grant_dead', ...answer });
  const client =
    oauthError === 'invalid_client' ||
    (zoomCode !== null && (CLIENT_CODES as readonly number[]).includes(zoomCode));
  if (client) return new OAuthError({ kind: 'invalid_client', ...answer });
  return new OAuthError({ kind: 'refused', ...answer });
}

function jsonFields(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      return v as Record<string, unknown>;
    }
  } catch {
    // not JSON: only the numeric codes in the text can still be read
  }
  return {};
}

interface BoomLike {
  isBoom: true;
  output?: { statusCode?: number };
  data?: {
    isResponseError?: boolean;
    payload?: unknown;
    headers?: Record<string, string | string[] | undefined>;
  } | null;
}

function isBoomLike(err: unknown): err is BoomLike {
  return typeof err === 'object' && err !== null && (err as { isBoom?: unknown }).isBoom === true;
}

function payloadText(payload: unknown): string {
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  if (typeof payload === 'string') return payload;
  if (typeof payload === 'object' && payload !== null) return JSON.stringify(payload);
  return '';
}

/**
 * Any failure of a token-endpoint call made through simple-oauth2, as an OAuthError. No
 * `cause`: simple-oauth2's errors carry the request, Basic credentials included.
 */
export function toOAuthError(err: unknown, now: number = Date.now()): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof TokenResponseError) {
    return new OAuthError({ kind: 'bad_response', status: 200, cause: err });
  }
  // Not an answer from Zoom: a timeout, a refused connection, DNS, a non-JSON content type.
  if (!isBoomLike(err) || !err.data?.isResponseError)
    return new OAuthError({ kind: 'unavailable' });
  const retryAfter = err.data.headers?.['retry-after'];
  return classifyTokenRefusal(
    {
      status: err.output?.statusCode ?? 0,
      body: payloadText(err.data.payload),
      retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
    },
    now,
  );
}
