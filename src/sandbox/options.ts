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
  /** Base URL used in links and `api_url`; default http://127.0.0.1:<port>. */
  publicUrl?: string;
}

export interface RunningSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3599;
export const DEFAULT_GRANT_SCOPES: readonly string[] = [
  'user:read:user',
  'user:read:list_assistants',
  'user:delete:assistant',
];
export const DEFAULT_APP_NAME = 'Sandbox OAuth app';
