import { randomBytes } from 'node:crypto';

/**
 * The environment of an app wired to a local Zoom sandbox and a Redis, with secrets made for
 * the run: one definition for the tests, the browser tests, the benchmark and the demo.
 */

/** What the sandbox and the app must agree on. */
export interface SandboxCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookSecret: string;
}

export function newCredentials(label: string): SandboxCredentials {
  return {
    clientId: `${label}-client-id`,
    clientSecret: randomBytes(24).toString('base64url'),
    webhookSecret: randomBytes(24).toString('base64url'),
  };
}

export interface SandboxedAppSettings {
  /** Where the app is reached, e.g. http://127.0.0.1:3000 (its callback is under it). */
  readonly appUrl: string;
  readonly sandboxUrl: string;
  readonly redisUrl: string;
  readonly credentials: SandboxCredentials;
  /** A namespace of its own on a shared Redis. */
  readonly keyPrefix?: string;
}

/** Who runs a local installation: what its public pages (/privacy, /support, …) show. */
export const DEMO_OPERATOR = {
  OPERATOR_NAME: 'Example Apps Ltd (demo)',
  SUPPORT_EMAIL: 'support@example.com',
} as const;

export function sandboxedAppEnv(s: SandboxedAppSettings): Record<string, string> {
  return {
    PORT: new URL(s.appUrl).port,
    REDIS_URL: s.redisUrl,
    ...(s.keyPrefix ? { REDIS_KEY_PREFIX: s.keyPrefix } : {}),
    ZOOM_CLIENT_ID: s.credentials.clientId,
    ZOOM_CLIENT_SECRET: s.credentials.clientSecret,
    ZOOM_REDIRECT_URL: callbackUrlOf(s.appUrl),
    ZOOM_WEBHOOK_SECRET_TOKEN: s.credentials.webhookSecret,
    // The shape of Heroku's "generator": "secret".
    SESSION_SECRET: randomBytes(32).toString('hex'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ZOOM_OAUTH_URL: s.sandboxUrl,
    ZOOM_API_URL: `${s.sandboxUrl}/v2`,
    ...DEMO_OPERATOR,
  };
}

export function callbackUrlOf(appUrl: string): string {
  return `${appUrl}/oauth/callback`;
}
