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
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'zoom-assistant-revoker' },
    },
    destination,
  );
}
