import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may hold a secret, wherever they appear in a log object. Tokens never reach a
 * log by design; this is the second line.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.headers["x-zm-signature"]',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.code',
  '*.state',
  '*.secret',
  '*.clientSecret',
  '*.webhookSecretToken',
  '*.password',
];

/**
 * The request a log line belongs to, carried across awaits, so that every line written while
 * serving a request — in the edge or deep in the token manager — names its request id.
 */
const requestContext = new AsyncLocalStorage<{ requestId: string }>();

export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return requestContext.run({ requestId }, fn);
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'assistant-manager-for-zoom' },
      mixin: () => {
        const ctx = requestContext.getStore();
        return ctx ? { requestId: ctx.requestId } : {};
      },
    },
    destination,
  );
}
