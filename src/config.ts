import { createHash, hkdfSync } from 'node:crypto';
import { z } from 'zod';

/**
 * The only reader of process.env. Everything else receives a typed, validated Config.
 * Problems are reported by variable name only: a value may be a secret.
 */

export interface EncryptionKey {
  /** Short public id written beside each record, so a read picks the key that sealed it. */
  readonly id: string;
  readonly key: Buffer;
}

export interface Config {
  readonly port: number;
  /** The address to listen on; undefined: every interface (what a platform expects). */
  readonly host: string | undefined;
  readonly isProduction: boolean;
  /** Proxy hops in front of the app whose X-Forwarded-* headers are believed; 0: none. */
  readonly trustProxyHops: number;
  readonly logLevel: string;
  readonly redis: {
    /** One URL, or (with `cluster`) the comma-separated seed nodes of a Redis Cluster. */
    readonly url: string;
    readonly cluster: boolean;
    readonly tlsRejectUnauthorized: boolean;
    readonly keyPrefix: string;
    readonly commandTimeoutMs: number;
  };
  readonly zoom: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly redirectUrl: string;
    readonly callbackPath: string;
    readonly oauthUrl: string;
    readonly apiUrl: string;
    readonly webhookSecretToken: string;
    readonly timeoutMs: number;
  };
  readonly session: {
    readonly secret: string;
    readonly absoluteLifetimeMs: number;
    readonly idleTimeoutMs: number;
  };
  readonly rateLimits: {
    readonly installPerIpPer10Minutes: number;
    readonly actionsPerUserPerMinute: number;
    readonly webhookPerIpPerMinute: number;
  };
  readonly sweep: {
    /** `npm run sweep` checks grants not used for this long. */
    readonly idleMs: number;
    /** Zoom calls per second of the whole run (token refreshes and REST calls); Infinity: none. */
    readonly zoomCallsPerSecond: number;
    /** REST calls per second to one Zoom account (its limits are shared with its other apps). */
    readonly restCallsPerAccountPerSecond: number;
  };
  /** The ledger's entries are kept this many days (Undo stays 30). */
  readonly historyDays: number;
  /** Who runs this installation; shown on the public pages. Each is optional. */
  readonly operator: {
    readonly name: string | undefined;
    readonly supportEmail: string | undefined;
    /** The operator's own pages: when set, /privacy and /terms redirect there. */
    readonly privacyPolicyUrl: string | undefined;
    readonly termsOfUseUrl: string | undefined;
    /** `ZOOM_verify_…`: the landing page carries it in a meta tag (Zoom's domain check). */
    readonly zoomDomainVerification: string | undefined;
  };
  readonly tokens: {
    /** Newest first: writes use the first, reads use the one a record names. */
    readonly encryptionKeys: readonly EncryptionKey[];
    readonly recordTtlSeconds: number;
    readonly refreshMarginMs: number;
    readonly lockTtlMs: number;
    /** A refused refresh that leaves the grant alive is not tried again for this long. */
    readonly refusalCoolDownMs: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEV_REDIS_URL = 'redis://127.0.0.1:6379';
const MIN_KEY_BYTES = 32;

/** Hex if it looks like hex, else base64 or base64url; null when it is neither. */
export function decodeKeyMaterial(text: string): Buffer | null {
  const value = text.trim();
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return Buffer.from(value, 'base64');
  return null;
}

/** HKDF rather than the raw secret: the app's key is bound to its purpose, whatever the input. */
export function deriveEncryptionKey(material: Buffer): EncryptionKey {
  const key = Buffer.from(
    // The salt is the project's first name, kept: changing it would make every stored record unreadable.
    hkdfSync('sha256', material, 'zoom-assistant-revoker', 'token-record-aes-256-gcm', 32),
  );
  const id = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return { id, key };
}

const positiveInt = z.coerce.number().int().positive();
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
// A page a Marketplace listing links to: Zoom asks for https.
const httpsUrl = z
  .string()
  .trim()
  .refine((u) => URL.canParse(u) && new URL(u).protocol === 'https:', 'must be an https:// URL');
// The app serves its callback at this URL's path, so the path must be a plain one.
const callbackUrl = httpUrl.refine(
  (u) => !URL.canParse(u) || /^\/[A-Za-z0-9/._~-]*$/.test(new URL(u).pathname),
  'its path may only use letters, digits and / . _ ~ -',
);

/** Unset or empty (a platform form left blank): absent. */
const optional = <T extends z.ZodType>(inner: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), inner.optional());

const schema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]{1,253}$/, 'must be an address or host name')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z
    .string()
    .regex(
      /^rediss?:\/\/[^,\s]+(,\s*rediss?:\/\/[^,\s]+)*$/,
      'must be a redis:// or rediss:// URL (a comma-separated list with REDIS_CLUSTER=1)',
    )
    .optional(),
  REDIS_CLUSTER: z.enum(['0', '1']).default('0'),
  REDIS_TLS_URL: z
    .string()
    .regex(/^rediss:\/\//, 'must start with rediss://')
    .optional(),
  REDIS_TLS_REJECT_UNAUTHORIZED: z.enum(['0', '1']).default('0'),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(1_500),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,32}$/, 'must be 1-32 of A-Z a-z 0-9 : _ -')
    .default('zar:'),
  ZOOM_CLIENT_ID: z.string().min(1, 'is required'),
  ZOOM_CLIENT_SECRET: z.string().min(1, 'is required'),
  ZOOM_REDIRECT_URL: callbackUrl,
  ZOOM_WEBHOOK_SECRET_TOKEN: z.string().min(1, 'is required'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
  TOKEN_ENCRYPTION_KEY: z.string().min(1, 'is required'),
  ZOOM_OAUTH_URL: httpUrl.default('https://zoom.us'),
  ZOOM_API_URL: httpUrl.default('https://api.zoom.us/v2'),
  // The SIGTERM drain (25 s) must outlast the longest Zoom call.
  ZOOM_TIMEOUT_MS: positiveInt.max(20_000).default(10_000),
  SESSION_MAX_AGE_HOURS: positiveInt.default(24 * 7),
  SESSION_IDLE_HOURS: positiveInt.default(24),
  TOKEN_RECORD_TTL_DAYS: positiveInt.default(90),
  // Well under Zoom's one-hour tokens, or every token would look stale and be refreshed.
  TOKEN_REFRESH_MARGIN_SECONDS: z.coerce.number().int().min(0).max(1800).default(300),
  RATE_LIMIT_INSTALL_PER_10_MIN: positiveInt.default(60),
  RATE_LIMIT_ACTIONS_PER_MIN: positiveInt.default(30),
  RATE_LIMIT_WEBHOOK_PER_MIN: positiveInt.default(600),
  // 0: every grant, whenever it was last used (an operator's "check them all now").
  SWEEP_IDLE_HOURS: z.coerce.number().int().min(0).default(24),
  // Never under Undo's 30 days: an entry that can still be undone is still shown.
  HISTORY_DAYS: z.coerce.number().int().min(30).max(3650).default(365),
  SWEEP_ZOOM_CALLS_PER_SECOND: z.coerce.number().min(0).max(1000).default(10),
  SWEEP_REST_CALLS_PER_ACCOUNT_PER_SECOND: z.coerce.number().min(0).max(100).default(1),
  // Heroku's router is one hop; a server reached directly (the demo, a bare npm start) has none,
  // and trusting a hop there lets any client choose its address (rate limits) and scheme.
  TRUST_PROXY: z.union([z.literal('none'), z.coerce.number().int().min(0).max(10)]).default('none'),
  OPERATOR_NAME: optional(
    z
      .string()
      .trim()
      .regex(/^[^\p{Cc}]{1,100}$/u, 'must be 1-100 characters on one line'),
  ),
  SUPPORT_EMAIL: optional(
    z.string().trim().pipe(z.email('must be an email address, e.g. support@example.com')),
  ),
  PRIVACY_POLICY_URL: optional(httpsUrl),
  TERMS_OF_USE_URL: optional(httpsUrl),
  ZOOM_DOMAIN_VERIFICATION: optional(
    z
      .string()
      .trim()
      .regex(
        /^ZOOM_verify_[A-Za-z0-9]+$/,
        'must be ZOOM_verify_ followed by letters and digits (the value Zoom gives for the meta tag)',
      ),
  ),
});

function parseEncryptionKeys(raw: string): { keys: EncryptionKey[]; problem?: string } {
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return { keys: [], problem: 'is required' };
  const keys: EncryptionKey[] = [];
  for (const [index, part] of parts.entries()) {
    const material = decodeKeyMaterial(part);
    if (!material || material.length < MIN_KEY_BYTES) {
      const which = parts.length > 1 ? ` (key ${index + 1})` : '';
      return {
        keys: [],
        problem: `must be at least ${MIN_KEY_BYTES} random bytes, hex or base64${which}`,
      };
    }
    keys.push(deriveEncryptionKey(material));
  }
  return { keys };
}

const stripSlash = (u: string): string => u.replace(/\/+$/, '');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      // zod's message for a missing key is "Invalid input: expected string, received undefined".
      const missing = issue.code === 'invalid_type' && env[name] === undefined;
      problems.push(`${name}: ${missing ? 'is required' : issue.message}`);
    }
  }
  const keyResult = parseEncryptionKeys(env.TOKEN_ENCRYPTION_KEY ?? '');
  if (keyResult.problem && env.TOKEN_ENCRYPTION_KEY !== undefined) {
    problems.push(`TOKEN_ENCRYPTION_KEY: ${keyResult.problem}`);
  }
  const isProduction = env.NODE_ENV === 'production';
  const redisUrl = env.REDIS_TLS_URL ?? env.REDIS_URL;
  if (isProduction && !redisUrl) problems.push('REDIS_URL: is required in production');
  if (redisUrl?.includes(',') && env.REDIS_CLUSTER !== '1') {
    problems.push('REDIS_URL: a list of URLs is the seed nodes of a cluster: set REDIS_CLUSTER=1');
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError([...new Set(problems)]);

  const e = parsed.data;
  const redirect = new URL(e.ZOOM_REDIRECT_URL);
  const hour = 60 * 60 * 1000;
  return {
    port: e.PORT,
    host: e.HOST,
    isProduction,
    trustProxyHops: e.TRUST_PROXY === 'none' ? 0 : e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    redis: {
      url: redisUrl ?? DEV_REDIS_URL,
      cluster: e.REDIS_CLUSTER === '1',
      tlsRejectUnauthorized: e.REDIS_TLS_REJECT_UNAUTHORIZED === '1',
      keyPrefix: e.REDIS_KEY_PREFIX,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    },
    zoom: {
      clientId: e.ZOOM_CLIENT_ID,
      clientSecret: e.ZOOM_CLIENT_SECRET,
      redirectUrl: e.ZOOM_REDIRECT_URL,
      callbackPath: redirect.pathname,
      oauthUrl: stripSlash(e.ZOOM_OAUTH_URL),
      apiUrl: stripSlash(e.ZOOM_API_URL),
      webhookSecretToken: e.ZOOM_WEBHOOK_SECRET_TOKEN,
      timeoutMs: e.ZOOM_TIMEOUT_MS,
    },
    session: {
      secret: e.SESSION_SECRET,
      absoluteLifetimeMs: e.SESSION_MAX_AGE_HOURS * hour,
      idleTimeoutMs: e.SESSION_IDLE_HOURS * hour,
    },
    rateLimits: {
      installPerIpPer10Minutes: e.RATE_LIMIT_INSTALL_PER_10_MIN,
      actionsPerUserPerMinute: e.RATE_LIMIT_ACTIONS_PER_MIN,
      webhookPerIpPerMinute: e.RATE_LIMIT_WEBHOOK_PER_MIN,
    },
    sweep: {
      idleMs: e.SWEEP_IDLE_HOURS * hour,
      // 0: no ceiling.
      zoomCallsPerSecond: e.SWEEP_ZOOM_CALLS_PER_SECOND || Infinity,
      restCallsPerAccountPerSecond: e.SWEEP_REST_CALLS_PER_ACCOUNT_PER_SECOND || Infinity,
    },
    historyDays: e.HISTORY_DAYS,
    operator: {
      name: e.OPERATOR_NAME,
      supportEmail: e.SUPPORT_EMAIL,
      privacyPolicyUrl: e.PRIVACY_POLICY_URL,
      termsOfUseUrl: e.TERMS_OF_USE_URL,
      zoomDomainVerification: e.ZOOM_DOMAIN_VERIFICATION,
    },
    tokens: {
      encryptionKeys: keyResult.keys,
      recordTtlSeconds: e.TOKEN_RECORD_TTL_DAYS * 24 * 60 * 60,
      refreshMarginMs: e.TOKEN_REFRESH_MARGIN_SECONDS * 1000,
      lockTtlMs: 15_000,
      refusalCoolDownMs: 60_000,
    },
  };
}

/**
 * For process entries (the server, npm scripts): the config, or one line per problem on
 * stderr — naming the variable, never its value — and exit 1.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`config error: ${p}\n`);
    process.exit(1);
  }
}
