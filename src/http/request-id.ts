import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The platform router's X-Request-ID when it looks sane, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return randomUUID();
}
