import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';
import { formField } from './forms';

/**
 * Synchronizer-token CSRF protection: a token kept in the session and echoed by every form.
 * It is checked before a route runs, so a forged form never reaches Zoom. SameSite=Lax on the
 * session cookie is the second line.
 */
export interface CsrfGuard {
  /** The session's token, created on first use (and then reused: no session write per page). */
  tokenFor(req: Request): string;
  protect: RequestHandler;
}

export function csrfGuard(): CsrfGuard {
  const { generateToken, csrfSynchronisedProtection } = csrfSync({
    getTokenFromRequest: (req) => formField(req, '_csrf'),
    // 256 bits is plenty, and the token is printed in every form of every page.
    size: 32,
    errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
  });
  return {
    tokenFor: (req) => generateToken(req, false),
    protect: csrfSynchronisedProtection,
  };
}
