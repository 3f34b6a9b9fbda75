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

/**
 * In production, a plain-http request (the platform's router says so in X-Forwarded-Proto) is
 * sent to https on the app's public host — the host of ZOOM_REDIRECT_URL, never the request's
 * Host header, which a client controls. Health checks stay reachable for the platform.
 */
export function httpsOnly(enabled: boolean, publicHost: string): RequestHandler {
  return (req, res, next) => {
    if (!enabled || req.secure || req.path === '/healthz' || req.path === '/readyz') return next();
    // Only safe methods are redirected; a POST over plain http is refused, not replayed.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(403).type('text/plain').send('https required');
      return;
    }
    res.redirect(308, `https://${publicHost}${req.originalUrl}`);
  };
}
