import { z } from 'zod';

/** Bodies of the /_sandbox control API. */

export const UserRefBody = z.object({ user: z.string().min(1).optional() });
export const RequiredUserBody = z.object({ user: z.string().min(1) });

export const FaultBody = z
  .object({
    target: z.enum(['api', 'token', 'revoke', 'all']),
    status: z.number().int().min(400).max(599).optional(),
    count: z.number().int().min(1).max(10000).optional(),
    delayMs: z.number().int().min(0).max(120000).optional(),
    retryAfter: z.string().min(1).optional(),
    rateLimitType: z.enum(['QPS', 'Daily-limit']).optional(),
    body: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((f) => f.status !== undefined || (f.delayMs ?? 0) > 0, {
    message: 'give a status, a delayMs, or both',
  });

export const AddAssistantsControlBody = z.object({
  emails: z
    .array(z.string().regex(/^[^@\s]+@[^@\s]+$/, 'not an email'))
    .min(1)
    .max(30),
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
});

export const ClockBody = z.object({
  advanceSeconds: z
    .number()
    .min(0)
    .max(10 * 365 * 86400),
});

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
