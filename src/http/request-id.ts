import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { runWithRequestId, type Logger } from '../log';

/** The platform router's X-Request-ID when it looks sane, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return randomUUID();
}

/**
 * Echoes the request id and runs the rest of the request inside its log context, so every
 * line written while serving it names the id. One line per request only at debug: the
 * platform's router already logs each one (method, path, status, time, id); a 5xx is always
 * an error line.
 */
export function requestId(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = requestIdOf(req);
    res.setHeader('X-Request-ID', id);
    const started = performance.now();
    res.once('finish', () => {
      const status = res.statusCode;
      if (status < 500 && !logger.isLevelEnabled('debug')) return;
      // The path only: the callback's query holds the code and the state.
      const line = {
        req: { id, method: req.method, path: req.originalUrl.split('?')[0] },
        res: { statusCode: status },
        responseTime: Math.round(performance.now() - started),
      };
      if (status >= 500) logger.error(line, 'request failed');
      else logger.debug(line, 'request completed');
    });
    runWithRequestId(id, next);
  };
}
