import { randomBytes } from 'node:crypto';

/**
 * The environment of an app process wired to a local Zoom sandbox and Redis, with secrets
 * made for the run: one definition for the demo, the browser tests and the benchmarks.
 */
export interface SandboxedAppSettings {
  readonly appUrl: string;
  readonly sandboxUrl: string;
  readonly redisUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookSecret: string;
}

export function sandboxedAppEnv(s: SandboxedAppSettings): Record<string, string> {
  return {
    PORT: new URL(s.appUrl).port,
    REDIS_URL: s.redisUrl,
    ZOOM_CLIENT_ID: s.clientId,
    ZOOM_CLIENT_SECRET: s.clientSecret,
    ZOOM_REDIRECT_URL: `${s.appUrl}/oauth/callback`,
    ZOOM_WEBHOOK_SECRET_TOKEN: s.webhookSecret,
    // The shape of Heroku's "generator": "secret".
    SESSION_SECRET: randomBytes(32).toString('hex'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ZOOM_OAUTH_URL: s.sandboxUrl,
    ZOOM_API_URL: `${s.sandboxUrl}/v2`,
  };
}
