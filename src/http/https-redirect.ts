import type { RequestHandler } from 'express';

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
