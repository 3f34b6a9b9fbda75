import type { Request, Response } from 'express';
import { parseBasicAuth, safeEqual, sendJson } from './http-util';
import { REFUSALS } from './refusals';
import type { SandboxState } from './state';

/**
 * Client authentication for /oauth/token and /oauth/revoke: HTTP Basic only. Credentials in the
 * form body are refused (stricter than some OAuth servers) so the app cannot rely on them.
 * Answers 401 itself and returns false when the client is not authenticated.
 */
export function authenticateClient(state: SandboxState, req: Request, res: Response): boolean {
  const creds = parseBasicAuth(req.headers.authorization);
  const ok =
    creds !== undefined &&
    safeEqual(creds.id, state.clientId) &&
    safeEqual(creds.secret, state.clientSecret);
  if (!ok) {
    state.stats.token_invalid_client += 1;
    res.setHeader('WWW-Authenticate', 'Basic realm="zoom"');
    sendJson(res, REFUSALS.invalid_client.status, REFUSALS.invalid_client.body);
  }
  return ok;
}

/** RFC 6749 §5.1: token answers must not be cached. */
export function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}
