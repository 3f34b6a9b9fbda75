export interface SandboxOptions {
  /** 0 / undefined = a free port; the host is always 127.0.0.1. */
  port?: number;
  clientId: string;
  clientSecret: string;
  /** The OAuth allow list; authorize and token must match one entry exactly. */
  redirectUris: string[];
  /** Default 3599, as in Zoom's examples. */
  accessTokenTtlSeconds?: number;
  /** Where signed event notifications are POSTed (app_deauthorized etc.). */
  webhookUrl?: string;
  /** The app's Secret Token for x-zm-signature. */
  webhookSecretToken?: string;
  /** Webhook retry timing; default `{ scale: 1, timestamp: 'original' }` (Zoom's real delays). */
  webhookRetry?: { scale?: number; timestamp?: 'original' | 'fresh' };
  /** Base URL used in links and `api_url`; default http://127.0.0.1:<port>. */
  publicUrl?: string;
}

export interface RunningSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3599;
/** What the Marketplace app is configured with: the granular scopes the app needs. */
export const DEFAULT_GRANT_SCOPES: readonly string[] = [
  'user:read:user',
  'user:read:list_assistants',
  'user:delete:assistant',
  'user:write:assistant',
  'user:read:list_schedulers',
  'user:delete:scheduler',
];
export const DEFAULT_APP_NAME = 'Sandbox OAuth app';
/** Longest retry scale accepted (10 × Zoom's delays). */
export const MAX_WEBHOOK_RETRY_SCALE = 10;
