import { z } from 'zod';
import { MAX_WEBHOOK_RETRY_SCALE } from './options';
import { REFUSAL_NAMES } from './refusals';

/** Bodies of the /_sandbox control API. */

const Email = z.string().regex(/^[^@\s]+@[^@\s]+$/, 'not an email');
const Refusal = z.enum(REFUSAL_NAMES);

export const UserRefBody = z.object({ user: z.string().min(1).optional() });
export const RequiredUserBody = z.object({ user: z.string().min(1) });
export const RevokeGrantBody = z.object({ user: z.string().min(1), answer: Refusal.optional() });

export const FaultBody = z
  .object({
    target: z.enum(['api', 'token', 'revoke', 'all']),
    status: z.number().int().min(400).max(599).optional(),
    count: z.number().int().min(1).max(10000).optional(),
    delayMs: z.number().int().min(0).max(120000).optional(),
    retryAfter: z.string().min(1).optional(),
    rateLimitType: z.enum(['QPS', 'Daily-limit']).optional(),
    body: z.record(z.string(), z.unknown()).optional(),
    /** A named token-endpoint refusal (refusals.ts) instead of status/body. */
    refusal: Refusal.optional(),
    /** Only requests to this exact path (e.g. /v2/users/me/schedulers), and this method. */
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.-]*$/)
      .optional(),
    method: z.enum(['GET', 'POST', 'DELETE', 'PATCH', 'PUT']).optional(),
  })
  .refine((f) => f.status !== undefined || f.refusal !== undefined || (f.delayMs ?? 0) > 0, {
    message: 'give a status, a refusal, a delayMs, or a delay with one of the others',
  })
  .refine((f) => f.refusal === undefined || f.target === 'token', {
    message: 'a refusal is a token-endpoint answer: use target "token"',
  })
  .refine((f) => f.refusal === undefined || (f.status === undefined && f.body === undefined), {
    message: 'a refusal sets the status and body itself',
  });

const AssistantEntry = z.object({
  email: Email,
  can_manage_host_private_event: z.boolean().optional(),
});

/**
 * More people than Zoom's lists hold (30) may be given at once, so a test can build a user whose
 * list Zoom answers only in part.
 */
const SEED_MAXIMUM = 1000;

/** `emails` (setting false for new ones) and/or `assistants` with the per-person setting. */
export const AddAssistantsControlBody = z
  .object({
    emails: z.array(Email).min(1).max(SEED_MAXIMUM).optional(),
    assistants: z.array(AssistantEntry).min(1).max(SEED_MAXIMUM).optional(),
  })
  .refine((b) => b.emails !== undefined || b.assistants !== undefined, {
    message: 'give emails or assistants',
  });

export const EmailsBody = z.object({ emails: z.array(Email).min(1).max(SEED_MAXIMUM) });

export const MemberBody = z.object({
  email: Email,
  /** 1 = Basic, 2 = Licensed (Zoom's user types). */
  type: z.union([z.literal(1), z.literal(2)]).optional(),
});

export const ConfigBody = z.object({
  accessTokenTtlSeconds: z.number().int().min(1).max(315360000).optional(),
  /** Space-separated, like the token answer's `scope`; an array is accepted too. */
  grantScopes: z.union([z.string(), z.array(z.string().min(1))]).optional(),
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .optional(),
  webhookSecretToken: z.string().min(1).nullable().optional(),
  appName: z.string().min(1).max(200).optional(),
  webhookRetry: z
    .object({
      scale: z.number().min(0).max(MAX_WEBHOOK_RETRY_SCALE).optional(),
      timestamp: z.enum(['original', 'fresh']).optional(),
    })
    .optional(),
  webhookDrop: z.number().int().min(0).max(10000).optional(),
  missingScopeAnswer: z
    .object({
      status: z.union([z.literal(400), z.literal(401)]).optional(),
      code: z.union([z.literal(4711), z.literal(4700)]).optional(),
    })
    .optional(),
  unknownAssistantDelete: z.union([z.literal(204), z.literal(404)]).optional(),
  unknownSchedulerDelete: z.union([z.literal(204), z.literal(404)]).optional(),
  paidAccount: z.boolean().optional(),
  /** Per label; null removes the limit. Free: {"Light":6000,"Medium":2000} (S-RL). */
  dailyLimits: z
    .object({
      Light: z.number().int().min(0).max(10_000_000).nullable().optional(),
      Medium: z.number().int().min(0).max(10_000_000).nullable().optional(),
    })
    .optional(),
  /** true, false, or the ids/emails whose add answers 201 without adding them. */
  addAssistantsIgnored: z.union([z.boolean(), z.array(z.string().min(1)).max(1000)]).optional(),
  addAssistantsBatchRefused: z.boolean().optional(),
  /** Every token-endpoint and REST answer waits this long (ms). */
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  /** Replaces the per-user latencies: user key, Zoom id or email → ms. A request waiting on
   * one finishes waiting as soon as it is lowered. */
  userLatencyMs: z.record(z.string().min(1), z.number().int().min(0).max(120_000)).optional(),
});

/** `POST /_sandbox/bench-grants`: users with a live grant each, made at once (benchmarks). */
export const BenchGrantsBody = z.object({
  count: z.number().int().min(1).max(5000),
  /** Numbers the users from here: bench-<n>@example.com. */
  from: z.number().int().min(0).max(10_000_000),
  /** Every n-th user (n counted from 0) removes the app at once: their tokens are dead. */
  revokeEvery: z.number().int().min(1).max(10_000_000).optional(),
});

/** `used` sets today's counters, e.g. {"Medium":2000} to spend a Free account's Medium quota. */
export const DailyUsageBody = z.object({
  used: z.object({
    Light: z.number().int().min(0).max(10_000_000).optional(),
    Medium: z.number().int().min(0).max(10_000_000).optional(),
  }),
});

/** Forward only: by `advanceSeconds`, or `to: "next-utc-midnight"` (when daily limits reset). */
export const ClockBody = z.union([
  z.object({
    advanceSeconds: z
      .number()
      .min(0)
      .max(10 * 365 * 86400),
  }),
  z.object({ to: z.literal('next-utc-midnight') }),
]);

export const WebhookSendBody = z
  .object({
    event: z.string().min(1).optional(),
    payload: z.record(z.string(), z.unknown()).optional(),
    sign: z.enum(['valid', 'bad', 'none']).optional(),
    timestamp: z.number().int().min(0).optional(),
    rawBody: z.string().optional(),
  })
  .refine((b) => b.event !== undefined || b.rawBody !== undefined, {
    message: 'give an event (with payload) or a rawBody',
  });
