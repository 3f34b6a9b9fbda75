import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  decodeKeyMaterial,
  deriveEncryptionKey,
  loadConfig,
  type Config,
} from '../../src/config';

const HEX_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90'; // 64 hex = 32 bytes
const OTHER_HEX_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

function validEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ZOOM_CLIENT_ID: 'clientIdABC123',
    ZOOM_CLIENT_SECRET: 'clientSecretValue-SHOULD-NOT-LEAK',
    ZOOM_REDIRECT_URL: 'https://app.example.com/auth/callback',
    ZOOM_WEBHOOK_SECRET_TOKEN: 'webhookSecretValue-SHOULD-NOT-LEAK',
    SESSION_SECRET: 'session-secret-at-least-32-characters-long!',
    TOKEN_ENCRYPTION_KEY: HEX_KEY,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs loadConfig expecting a ConfigError and returns it. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig did not throw');
}

describe('loadConfig with a full valid environment', () => {
  let config: Config;
  beforeAll(() => {
    config = loadConfig(validEnv());
  });

  it('listens on port 3000 by default', () => {
    expect(config.port).toBe(3000);
  });

  it('talks to zoom.us and api.zoom.us/v2 by default', () => {
    expect(config.zoom.oauthUrl).toBe('https://zoom.us');
    expect(config.zoom.apiUrl).toBe('https://api.zoom.us/v2');
  });

  it('takes the callback path from the redirect URL', () => {
    expect(config.zoom.redirectUrl).toBe('https://app.example.com/auth/callback');
    expect(config.zoom.callbackPath).toBe('/auth/callback');
  });

  it('refreshes 5 minutes before expiry and keeps token records for 90 days', () => {
    expect(config.tokens.refreshMarginMs).toBe(5 * 60 * 1000);
    expect(config.tokens.recordTtlSeconds).toBe(90 * 24 * 60 * 60);
  });

  it('passes the Zoom credentials and session secret through', () => {
    expect(config.zoom.clientId).toBe('clientIdABC123');
    expect(config.zoom.clientSecret).toBe('clientSecretValue-SHOULD-NOT-LEAK');
    expect(config.zoom.webhookSecretToken).toBe('webhookSecretValue-SHOULD-NOT-LEAK');
    expect(config.session.secret).toBe('session-secret-at-least-32-characters-long!');
  });

  it('is not production and uses a local Redis outside production', () => {
    expect(config.isProduction).toBe(false);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.redis.keyPrefix).toBe('zar:');
    expect(config.redis.tlsRejectUnauthorized).toBe(false);
    expect(config.redis.commandTimeoutMs).toBe(1_500);
  });

  it('paces the sweep at 10 Zoom calls a second and 1 REST call a second per account', () => {
    expect(config.sweep.zoomCallsPerSecond).toBe(10);
    expect(config.sweep.restCallsPerAccountPerSecond).toBe(1);
    const env = { SWEEP_ZOOM_CALLS_PER_SECOND: '25', SWEEP_REST_CALLS_PER_ACCOUNT_PER_SECOND: '2' };
    expect(loadConfig(validEnv(env)).sweep).toMatchObject({
      zoomCallsPerSecond: 25,
      restCallsPerAccountPerSecond: 2,
    });
    // 0: no ceiling (a benchmark's "unpaced").
    const unpaced = validEnv({ SWEEP_ZOOM_CALLS_PER_SECOND: '0' });
    expect(loadConfig(unpaced).sweep.zoomCallsPerSecond).toBe(Infinity);
    expect(() => loadConfig(validEnv({ SWEEP_ZOOM_CALLS_PER_SECOND: '-1' }))).toThrow(
      /SWEEP_ZOOM_CALLS_PER_SECOND/,
    );
  });

  it('checks idle grants after a day', () => {
    expect(config.sweep.idleMs).toBe(24 * 60 * 60 * 1000);
    expect(loadConfig(validEnv({ SWEEP_IDLE_HOURS: '48' })).sweep.idleMs).toBe(48 * 3_600_000);
    // 0: the operator's "check every grant now".
    expect(loadConfig(validEnv({ SWEEP_IDLE_HOURS: '0' })).sweep.idleMs).toBe(0);
    expect(() => loadConfig(validEnv({ SWEEP_IDLE_HOURS: '-1' }))).toThrow(/SWEEP_IDLE_HOURS/);
    expect(() => loadConfig(validEnv({ REDIS_COMMAND_TIMEOUT_MS: '5' }))).toThrow(
      /REDIS_COMMAND_TIMEOUT_MS/,
    );
  });

  it('trusts no proxy unless TRUST_PROXY says how many hops', () => {
    expect(config.trustProxyHops).toBe(0);
    expect(loadConfig(validEnv({ TRUST_PROXY: 'none' })).trustProxyHops).toBe(0);
    expect(loadConfig(validEnv({ TRUST_PROXY: '1' })).trustProxyHops).toBe(1);
    for (const bad of ['yes', '-1', '1.5', '11', 'loopback']) {
      expect(() => loadConfig(validEnv({ TRUST_PROXY: bad }))).toThrow(/TRUST_PROXY/);
    }
  });

  it('has one encryption key derived from TOKEN_ENCRYPTION_KEY', () => {
    expect(config.tokens.encryptionKeys).toHaveLength(1);
    const [key] = config.tokens.encryptionKeys;
    const expected = deriveEncryptionKey(Buffer.from(HEX_KEY, 'hex'));
    expect(key?.id).toBe(expected.id);
    expect(key?.key.equals(expected.key)).toBe(true);
  });

  it('uses the documented defaults for the remaining settings', () => {
    expect(config.logLevel).toBe('info');
    expect(config.zoom.timeoutMs).toBe(10_000);
    expect(config.session.absoluteLifetimeMs).toBe(7 * 24 * 60 * 60 * 1000);
    expect(config.session.idleTimeoutMs).toBe(24 * 60 * 60 * 1000);
    expect(config.tokens.lockTtlMs).toBe(15_000);
  });
});

describe('loadConfig overrides', () => {
  it('coerces numeric settings from strings', () => {
    const config = loadConfig(
      validEnv({ PORT: '8080', TOKEN_RECORD_TTL_DAYS: '30', TOKEN_REFRESH_MARGIN_SECONDS: '0' }),
    );
    expect(config.port).toBe(8080);
    expect(config.tokens.recordTtlSeconds).toBe(30 * 86400);
    expect(config.tokens.refreshMarginMs).toBe(0);
  });

  it('strips trailing slashes from the Zoom URLs', () => {
    const config = loadConfig(
      validEnv({
        ZOOM_OAUTH_URL: 'https://zoom.example.com//',
        ZOOM_API_URL: 'https://api.example.com/v2/',
      }),
    );
    expect(config.zoom.oauthUrl).toBe('https://zoom.example.com');
    expect(config.zoom.apiUrl).toBe('https://api.example.com/v2');
  });

  it('prefers REDIS_TLS_URL over REDIS_URL', () => {
    const config = loadConfig(
      validEnv({
        REDIS_URL: 'redis://plain.example.com:6379',
        REDIS_TLS_URL: 'rediss://tls.example.com:6380',
      }),
    );
    expect(config.redis.url).toBe('rediss://tls.example.com:6380');
  });

  it('uses REDIS_URL when there is no REDIS_TLS_URL', () => {
    const config = loadConfig(validEnv({ REDIS_URL: 'redis://plain.example.com:6379' }));
    expect(config.redis.url).toBe('redis://plain.example.com:6379');
  });

  it('accepts production with a Redis URL', () => {
    const config = loadConfig(
      validEnv({ NODE_ENV: 'production', REDIS_URL: 'rediss://prod.example.com:6380' }),
    );
    expect(config.isProduction).toBe(true);
    expect(config.redis.url).toBe('rediss://prod.example.com:6380');
  });

  it('rejects production without any Redis URL', () => {
    const err = configError(validEnv({ NODE_ENV: 'production' }));
    expect(err.problems).toEqual(['REDIS_URL: is required in production']);
  });

  it('reads REDIS_TLS_REJECT_UNAUTHORIZED=1 as true', () => {
    expect(
      loadConfig(validEnv({ REDIS_TLS_REJECT_UNAUTHORIZED: '1' })).redis.tlsRejectUnauthorized,
    ).toBe(true);
  });
});

describe('loadConfig problems', () => {
  const required = [
    'ZOOM_CLIENT_ID',
    'ZOOM_CLIENT_SECRET',
    'ZOOM_REDIRECT_URL',
    'ZOOM_WEBHOOK_SECRET_TOKEN',
    'SESSION_SECRET',
    'TOKEN_ENCRYPTION_KEY',
  ];

  it.each(required)('names %s as required when it is missing', (name) => {
    const err = configError(validEnv({ [name]: undefined }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.name).toBe('ConfigError');
    expect(err.problems).toEqual([`${name}: is required`]);
  });

  it('lists every missing variable at once for an empty environment', () => {
    const err = configError({});
    for (const name of required) expect(err.problems).toContain(`${name}: is required`);
    expect(err.problems).toHaveLength(required.length);
  });

  it('reports an empty TOKEN_ENCRYPTION_KEY once', () => {
    const err = configError(validEnv({ TOKEN_ENCRYPTION_KEY: '' }));
    expect(err.problems).toEqual(['TOKEN_ENCRYPTION_KEY: is required']);
  });

  const secretLooking: [string, string][] = [
    ['SESSION_SECRET', 'shortSecret-SHOULD-NOT-LEAK'],
    ['TOKEN_ENCRYPTION_KEY', 'hunter2 is my key SHOULD-NOT-LEAK!'],
    ['TOKEN_ENCRYPTION_KEY', 'deadbeefdeadbeef'],
    ['ZOOM_REDIRECT_URL', 'not a url SHOULD-NOT-LEAK'],
    ['ZOOM_REDIRECT_URL', 'ftp://leak-host.example/SHOULD-NOT-LEAK'],
    ['ZOOM_OAUTH_URL', 'javascript:SHOULD-NOT-LEAK'],
    ['ZOOM_API_URL', 'api.zoom.us/SHOULD-NOT-LEAK'],
    ['REDIS_URL', 'http://:p4ssw0rd-SHOULD-NOT-LEAK@redis.example.com:6379'],
    ['REDIS_TLS_URL', 'redis://:p4ssw0rd-SHOULD-NOT-LEAK@redis.example.com:6379'],
    ['REDIS_KEY_PREFIX', 'prefix with spaces SHOULD-NOT-LEAK'],
    ['REDIS_TLS_REJECT_UNAUTHORIZED', 'SHOULD-NOT-LEAK'],
    ['PORT', 'SHOULD-NOT-LEAK'],
    ['LOG_LEVEL', 'SHOULD-NOT-LEAK'],
    ['ZOOM_TIMEOUT_MS', 'SHOULD-NOT-LEAK'],
  ];

  it.each(secretLooking)('names %s when it is %p, without echoing the value', (name, value) => {
    const err = configError(validEnv({ [name]: value }));
    expect(err.problems.length).toBeGreaterThanOrEqual(1);
    for (const problem of err.problems) expect(problem.startsWith(`${name}: `)).toBe(true);
    expect(err.message).not.toContain(value);
    expect(err.message).not.toContain('SHOULD-NOT-LEAK');
    expect(err.message).not.toContain('p4ssw0rd');
    expect(err.message).not.toContain('leak-host');
  });

  it.each([
    ['PORT', '0'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['ZOOM_TIMEOUT_MS', '-5'],
    ['ZOOM_TIMEOUT_MS', '20001'],
    ['SESSION_MAX_AGE_HOURS', '0'],
    ['TOKEN_RECORD_TTL_DAYS', '0'],
    ['TOKEN_REFRESH_MARGIN_SECONDS', '-1'],
  ])('names %s when it is out of range (%p)', (name, value) => {
    const err = configError(validEnv({ [name]: value }));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]?.startsWith(`${name}: `)).toBe(true);
  });

  it('never echoes the valid secrets either', () => {
    const err = configError(validEnv({ SESSION_SECRET: 'short' }));
    const env = validEnv();
    for (const secret of [env.ZOOM_CLIENT_SECRET, env.ZOOM_WEBHOOK_SECRET_TOKEN, HEX_KEY]) {
      expect(err.message).not.toContain(secret);
    }
  });

  it('starts its message with "Invalid configuration" and lists the problems', () => {
    const err = configError(validEnv({ ZOOM_CLIENT_ID: undefined }));
    expect(err.message).toBe('Invalid configuration:\nZOOM_CLIENT_ID: is required');
  });
});

describe('TOKEN_ENCRYPTION_KEY formats', () => {
  const bytes32 = Buffer.from(HEX_KEY, 'hex');

  it("accepts a 64-character hex string (Heroku's generator: secret)", () => {
    const config = loadConfig(validEnv({ TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex') }));
    expect(config.tokens.encryptionKeys).toHaveLength(1);
  });

  it('accepts base64 of 32 bytes and derives the same key as its hex form', () => {
    const config = loadConfig(validEnv({ TOKEN_ENCRYPTION_KEY: bytes32.toString('base64') }));
    expect(config.tokens.encryptionKeys[0]?.id).toBe(deriveEncryptionKey(bytes32).id);
  });

  it('accepts base64url of 32 bytes', () => {
    // 0xfb 0xff... encodes to characters that differ between base64 and base64url.
    const material = Buffer.alloc(32, 0xfb);
    const text = material.toString('base64url');
    expect(text).toMatch(/[-_]/);
    const config = loadConfig(validEnv({ TOKEN_ENCRYPTION_KEY: text }));
    expect(config.tokens.encryptionKeys[0]?.id).toBe(deriveEncryptionKey(material).id);
  });

  it('accepts more than 32 bytes', () => {
    const config = loadConfig(
      validEnv({ TOKEN_ENCRYPTION_KEY: randomBytes(48).toString('base64') }),
    );
    expect(config.tokens.encryptionKeys).toHaveLength(1);
  });

  it.each([
    ['31 bytes of hex', randomBytes(31).toString('hex')],
    ['31 bytes of base64', randomBytes(31).toString('base64')],
    ['31 bytes of base64url', randomBytes(31).toString('base64url')],
    ['junk', 'this is not a key!'],
  ])('rejects %s', (_label, value) => {
    const err = configError(validEnv({ TOKEN_ENCRYPTION_KEY: value }));
    expect(err.problems).toEqual([
      'TOKEN_ENCRYPTION_KEY: must be at least 32 random bytes, hex or base64',
    ]);
    expect(err.message).not.toContain(value);
  });

  it('gives several keys for a comma-separated list, newest (first) first, with distinct ids', () => {
    const third = randomBytes(32).toString('base64');
    const config = loadConfig(
      validEnv({ TOKEN_ENCRYPTION_KEY: ` ${HEX_KEY} , ${OTHER_HEX_KEY},${third}` }),
    );
    const ids = config.tokens.encryptionKeys.map((k) => k.id);
    expect(ids).toEqual([
      deriveEncryptionKey(Buffer.from(HEX_KEY, 'hex')).id,
      deriveEncryptionKey(Buffer.from(OTHER_HEX_KEY, 'hex')).id,
      deriveEncryptionKey(Buffer.from(third, 'base64')).id,
    ]);
    expect(new Set(ids).size).toBe(3);
  });

  it('ignores empty entries in the list', () => {
    const config = loadConfig(validEnv({ TOKEN_ENCRYPTION_KEY: `${HEX_KEY},,` }));
    expect(config.tokens.encryptionKeys).toHaveLength(1);
  });

  it('names which key of a list is bad, without echoing it', () => {
    const bad = 'tooShort-SHOULD-NOT-LEAK';
    const err = configError(validEnv({ TOKEN_ENCRYPTION_KEY: `${HEX_KEY},${bad}` }));
    expect(err.problems).toEqual([
      'TOKEN_ENCRYPTION_KEY: must be at least 32 random bytes, hex or base64 (key 2)',
    ]);
    expect(err.message).not.toContain(bad);
    expect(err.message).not.toContain(HEX_KEY);
  });

  it('treats a list of only commas and spaces as missing', () => {
    const err = configError(validEnv({ TOKEN_ENCRYPTION_KEY: ' , ' }));
    expect(err.problems).toEqual(['TOKEN_ENCRYPTION_KEY: is required']);
  });
});

describe('decodeKeyMaterial', () => {
  it('decodes hex', () => {
    expect(decodeKeyMaterial('00ff10')).toEqual(Buffer.from([0x00, 0xff, 0x10]));
    expect(decodeKeyMaterial('00FF10')).toEqual(Buffer.from([0x00, 0xff, 0x10]));
  });

  it('decodes base64 and base64url to the same bytes', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01, 0x02]);
    expect(decodeKeyMaterial(bytes.toString('base64'))).toEqual(bytes);
    expect(decodeKeyMaterial(bytes.toString('base64url'))).toEqual(bytes);
  });

  it('trims surrounding whitespace', () => {
    expect(decodeKeyMaterial(`  ${HEX_KEY}\n`)).toEqual(Buffer.from(HEX_KEY, 'hex'));
  });

  it.each(['', '   ', 'not a key', 'abc!def', 'ab==cd', 'päss'])('returns null for %p', (text) => {
    expect(decodeKeyMaterial(text)).toBeNull();
  });
});

describe('deriveEncryptionKey', () => {
  const material = Buffer.from(HEX_KEY, 'hex');

  it('is deterministic', () => {
    const a = deriveEncryptionKey(material);
    const b = deriveEncryptionKey(Buffer.from(HEX_KEY, 'hex'));
    expect(a.id).toBe(b.id);
    expect(a.key.equals(b.key)).toBe(true);
  });

  it('gives a 32-byte key and an 8-hex-character id', () => {
    const { id, key } = deriveEncryptionKey(material);
    expect(key).toHaveLength(32);
    expect(id).toMatch(/^[0-9a-f]{8}$/);
  });

  it('does not use the raw secret as the key', () => {
    expect(deriveEncryptionKey(material).key.equals(material)).toBe(false);
  });

  it('gives different keys and ids for different material', () => {
    const a = deriveEncryptionKey(material);
    const b = deriveEncryptionKey(Buffer.from(OTHER_HEX_KEY, 'hex'));
    expect(a.id).not.toBe(b.id);
    expect(a.key.equals(b.key)).toBe(false);
  });
});

describe('limits found in review', () => {
  test('a refresh margin past half an hour is refused (every token would look stale)', () => {
    expect(configError(validEnv({ TOKEN_REFRESH_MARGIN_SECONDS: '3600' })).problems).toEqual([
      expect.stringMatching(/^TOKEN_REFRESH_MARGIN_SECONDS: /),
    ]);
    expect(() => loadConfig(validEnv({ TOKEN_REFRESH_MARGIN_SECONDS: '1800' }))).not.toThrow();
  });

  test('a callback path with route syntax is a config error, not a crash at start', () => {
    for (const url of [
      'https://app.example/oauth/(callback)',
      'https://app.example/oauth/:id',
      'https://app.example/oauth/*',
    ]) {
      const err = configError(validEnv({ ZOOM_REDIRECT_URL: url }));
      expect(err.problems.join('\n')).toMatch(/^ZOOM_REDIRECT_URL: /m);
    }
    expect(
      loadConfig(validEnv({ ZOOM_REDIRECT_URL: 'https://app.example/oauth/callback' })).zoom
        .callbackPath,
    ).toBe('/oauth/callback');
  });
});

describe('the operator’s details (all optional)', () => {
  test('unset or empty: none', () => {
    for (const value of [undefined, '']) {
      const { operator } = loadConfig(
        validEnv({
          OPERATOR_NAME: value,
          SUPPORT_EMAIL: value,
          PRIVACY_POLICY_URL: value,
          TERMS_OF_USE_URL: value,
          ZOOM_DOMAIN_VERIFICATION: value,
        }),
      );
      expect(Object.values(operator).filter((v) => v !== undefined)).toEqual([]);
    }
  });

  test('read as given, trimmed', () => {
    const { operator } = loadConfig(
      validEnv({
        OPERATOR_NAME: ' Example Apps Ltd ',
        SUPPORT_EMAIL: 'help@apps.example',
        PRIVACY_POLICY_URL: 'https://apps.example/privacy',
        TERMS_OF_USE_URL: 'https://apps.example/terms',
        ZOOM_DOMAIN_VERIFICATION: 'ZOOM_verify_a1B2c3',
      }),
    );
    expect(operator).toEqual({
      name: 'Example Apps Ltd',
      supportEmail: 'help@apps.example',
      privacyPolicyUrl: 'https://apps.example/privacy',
      termsOfUseUrl: 'https://apps.example/terms',
      zoomDomainVerification: 'ZOOM_verify_a1B2c3',
    });
  });

  test.each([
    ['ZOOM_DOMAIN_VERIFICATION', 'abc123', 'must be ZOOM_verify_ followed by letters and digits'],
    [
      'ZOOM_DOMAIN_VERIFICATION',
      'ZOOM_verify_',
      'must be ZOOM_verify_ followed by letters and digits',
    ],
    ['ZOOM_DOMAIN_VERIFICATION', 'ZOOM_verify_ab"><script>', 'must be ZOOM_verify_'],
    [
      'ZOOM_DOMAIN_VERIFICATION',
      'zoom-domain-verification=ZOOM_verify_ab1',
      'must be ZOOM_verify_',
    ],
    ['SUPPORT_EMAIL', 'support at example.com', 'must be an email address'],
    ['SUPPORT_EMAIL', 'mailto:support@example.com', 'must be an email address'],
    ['PRIVACY_POLICY_URL', 'http://apps.example/privacy', 'must be an https:// URL'],
    ['TERMS_OF_USE_URL', 'apps.example/terms', 'must be an https:// URL'],
    ['OPERATOR_NAME', 'two\nlines', 'must be 1-100 characters on one line'],
    ['OPERATOR_NAME', 'x'.repeat(101), 'must be 1-100 characters on one line'],
  ])('%s=%j is refused by name, without its value', (name, value, message) => {
    const err = configError(validEnv({ [name]: value }));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(new RegExp(`^${name}: ${message}`));
    // Unless the value is a word of the message itself.
    if (value.length > 3 && !message.includes(value)) expect(err.message).not.toContain(value);
  });
});
