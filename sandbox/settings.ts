import type { DailyLimits } from './daily-limits';
import {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_APP_NAME,
  DEFAULT_GRANT_SCOPES,
  type SandboxOptions,
} from './options';

/** How retries of a failed webhook delivery are timed and signed (see webhook-delivery.ts). */
export interface WebhookRetrySettings {
  /** Multiplies Zoom's 5/20/60-minute delays: 0.001 turns 5 min into 300 ms; 0 disables retries. */
  scale: number;
  /** 'original' re-sends the same headers; 'fresh' re-signs with the current time. */
  timestamp: 'original' | 'fresh';
}

/** The answer to a REST call whose token lacks the operation's scopes. */
export interface MissingScopeAnswer {
  status: 400 | 401;
  code: 4711 | 4700;
}

/** Settings tests may change at run time via `POST /_sandbox/config`. */
export interface Settings {
  accessTokenTtlSeconds: number;
  grantScopes: string[];
  appName: string;
  webhookUrl?: string;
  webhookSecretToken?: string;
  webhookRetry: WebhookRetrySettings;
  /** The next n delivery attempts are withheld and count as "no answer". */
  webhookDrop: number;
  missingScopeAnswer: MissingScopeAnswer;
  /** DELETE /users/{id}/assistants/{assistantId} for someone who is not an assistant. */
  unknownAssistantDelete: 204 | 404;
  /** DELETE /users/{id}/schedulers/{schedulerId} for someone who is not a scheduler. */
  unknownSchedulerDelete: 204 | 404;
  /** False = the account is on a free plan ("Current account must be paid account"). */
  paidAccount: boolean;
  /** Requests a day per rate label for the whole account; null = none (daily-limits.ts). */
  dailyLimits: DailyLimits;
  /**
   * POST /users/{id}/assistants answers 201 but does not add these people (ids or emails), or
   * anyone when true: seen in devforum /t/137382 (September 2025).
   */
  addAssistantsIgnored: boolean | string[];
  /** POST /users/{id}/assistants refuses 2 or more people with code -1 (devforum /t/137382). */
  addAssistantsBatchRefused: boolean;
  /** Every token-endpoint and REST answer waits this long first (Zoom across a network). */
  latencyMs: number;
  /** Per user (key, Zoom id or email): this latency instead, for their refreshes and calls. */
  userLatencyMs: Record<string, number>;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetrySettings = { scale: 1, timestamp: 'original' };

/** The start values; `reset` returns to these, keeping the webhook wiring. */
export function initialSettings(opts: SandboxOptions): Settings {
  return {
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
    grantScopes: [...DEFAULT_GRANT_SCOPES],
    appName: DEFAULT_APP_NAME,
    webhookUrl: opts.webhookUrl,
    webhookSecretToken: opts.webhookSecretToken,
    webhookRetry: { ...DEFAULT_WEBHOOK_RETRY, ...opts.webhookRetry },
    webhookDrop: 0,
    // Zoom's forum and third-party fixtures show 400 code 4711 (https://devforum.zoom.us/t/108207).
    missingScopeAnswer: { status: 400, code: 4711 },
    // A third party saw 204 for an id that was not an assistant (JosephMcEvoy/PSZoom#65).
    unknownAssistantDelete: 204,
    // [UNCONFIRMED] nothing is published for schedulers; mirrors the assistants default.
    unknownSchedulerDelete: 204,
    paidAccount: true,
    // Pro and Business+ have no daily limit for Light or Medium (S-RL); the default account is paid.
    dailyLimits: { Light: null, Medium: null },
    addAssistantsIgnored: false,
    addAssistantsBatchRefused: false,
    latencyMs: 0,
    userLatencyMs: {},
  };
}
