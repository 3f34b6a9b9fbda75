import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../log';
import { PAGES } from './copy';
import { renderMessage } from './pages';

/** Unknown paths: a page, not Express's default text. */
export const notFound: RequestHandler = (_req, res) => {
  renderMessage(res, 404, PAGES.notFound);
};

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
}

/**
 * Every error becomes a page a person can act on. No stack trace and no error message from a
 * library ever reaches the browser; the log gets the details.
 */
export function errorPages(
  logger: Logger,
  isStorageDown: (err: unknown) => boolean,
): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      // The answer is out and only a write after it failed (a session saved as it ended).
      if (isStorageDown(err)) {
        logger.warn({ path: req.path, err: (err as Error).message }, 'redis unavailable');
        return;
      }
      return next(err);
    }
    const e = (typeof err === 'object' && err !== null ? err : {}) as HttpishError;
    const status = e.status ?? e.statusCode;

    if (e.code === 'EBADCSRFTOKEN') {
      logger.warn({ path: req.path }, 'csrf token rejected');
      // A page of its own (GET /form-expired): reloading it does not post the form again.
      return res.redirect(303, '/form-expired');
    }
    if (status === 413) {
      return renderMessage(res, 413, PAGES.tooLarge);
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return renderMessage(res, status, PAGES.badRequest);
    }
    if (isStorageDown(err)) {
      logger.error({ path: req.path, err: (err as Error).message }, 'redis unavailable');
      res.set('Retry-After', '5');
      return renderMessage(res, 503, PAGES.storageDown);
    }
    const { name, message, stack } = err instanceof Error ? err : new Error(String(err));
    logger.error({ path: req.path, err: { name, message, stack } }, 'unhandled error');
    renderMessage(res, 500, PAGES.unexpected);
  };
}
