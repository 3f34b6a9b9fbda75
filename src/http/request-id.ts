import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { runWithRequestId } from '../log';

/** The platform router's X-Request-ID when it looks sane, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return randomUUID();
}

/** Echoes the request id and runs the rest of the request inside its log context. */
export const requestId: RequestHandler = (req, res, next) => {
  const id = requestIdOf(req);
  (req as { id?: string }).id = id;
  res.setHeader('X-Request-ID', id);
  runWithRequestId(id, next);
};
