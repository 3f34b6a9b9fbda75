/** Call counters exposed at `GET /_sandbox/stats`. Unless the name says otherwise, every request counts. */
export interface Stats {
  authorize: number;
  authorize_auto_approved: number;
  consent_allow: number;
  consent_deny: number;
  token_authorization_code: number;
  token_authorization_code_ok: number;
  token_refresh: number;
  /** Connections (TCP, and TLS where there is TLS) on which /oauth/token was asked: a client
   * that keeps its connection alive opens one, not one per request. */
  token_connections: number;
  token_refresh_ok: number;
  token_refresh_invalid_grant: number;
  /** Refreshes answered by a durable `revoke-grant {answer}` shape. */
  token_refresh_refused: number;
  token_invalid_client: number;
  token_unsupported_grant: number;
  revoke: number;
  users_me: number;
  list_assistants: number;
  add_assistants: number;
  delete_assistants: number;
  delete_assistant: number;
  list_schedulers: number;
  delete_schedulers: number;
  delete_scheduler: number;
  api_401: number;
  /** REST calls refused for a missing scope (`missingScopeAnswer`). */
  api_missing_scope: number;
  faults_applied: number;
  /** REST calls answered with the daily-limit 429 (`dailyLimits`). */
  api_daily_limited: number;
  /** People a 201 from POST …/assistants claimed but did not add (`addAssistantsIgnored`). */
  add_assistants_ignored: number;
  /** POST …/assistants answered code -1 for a batch (`addAssistantsBatchRefused`). */
  add_assistants_batch_refused: number;
  remove_app: number;
  /** Delivery attempts actually POSTed (first attempts and retries; dropped ones are not). */
  webhooks_sent: number;
  /** Attempts answered 2xx. */
  webhooks_delivered: number;
  /** Attempts POSTed that got no 2xx (an error status, a network error or a timeout). */
  webhooks_failed: number;
  /** Attempts withheld by `webhookDrop` (counted as "no answer"). */
  webhooks_dropped: number;
  /** Retry attempts made (attempt 2..4), sent or dropped. */
  webhooks_retried: number;
  /** Events whose last attempt failed: a non-retryable answer, or the retries ran out. */
  webhooks_given_up: number;
}

export function zeroStats(): Stats {
  return {
    authorize: 0,
    authorize_auto_approved: 0,
    consent_allow: 0,
    consent_deny: 0,
    token_authorization_code: 0,
    token_authorization_code_ok: 0,
    token_refresh: 0,
    token_connections: 0,
    token_refresh_ok: 0,
    token_refresh_invalid_grant: 0,
    token_refresh_refused: 0,
    token_invalid_client: 0,
    token_unsupported_grant: 0,
    revoke: 0,
    users_me: 0,
    list_assistants: 0,
    add_assistants: 0,
    delete_assistants: 0,
    delete_assistant: 0,
    list_schedulers: 0,
    delete_schedulers: 0,
    delete_scheduler: 0,
    api_401: 0,
    api_missing_scope: 0,
    faults_applied: 0,
    api_daily_limited: 0,
    add_assistants_ignored: 0,
    add_assistants_batch_refused: 0,
    remove_app: 0,
    webhooks_sent: 0,
    webhooks_delivered: 0,
    webhooks_failed: 0,
    webhooks_dropped: 0,
    webhooks_retried: 0,
    webhooks_given_up: 0,
  };
}

export type StatName = keyof Stats;
