import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../log';
import { isRedisUnavailable } from '../store/availability';
import { StorageUnavailableError } from '../zoom/token-manager';
import { renderMessage } from './pages';

/** Unknown paths: a page, not Express's default text. */
export const notFound: RequestHandler = (_req, res) => {
  renderMessage(res, 404, {
    title: 'Not found — Assistant Remover',
    heading: 'There is nothing here',
    paragraphs: ['The address does not match any page of this app.'],
    action: { href: '/', label: 'Go to the start' },
    tone: 'info',
  });
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
export function errorPages(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const e = (typeof err === 'object' && err !== null ? err : {}) as HttpishError;
    const status = e.status ?? e.statusCode;

    if (e.code === 'EBADCSRFTOKEN') {
      logger.warn({ path: req.path }, 'csrf token rejected');
      return renderMessage(res, 403, {
        title: 'Form expired — Assistant Remover',
        heading: 'This form has expired',
        paragraphs: ['For your safety nothing was changed. Reload the page and try again.'],
        action: { href: '/', label: 'Reload your assistants' },
        tone: 'warning',
      });
    }
    if (status === 413) {
      return renderMessage(res, 413, {
        title: 'Too large — Assistant Remover',
        heading: 'That request was too large',
        paragraphs: ['Nothing was changed.'],
        action: { href: '/', label: 'Go to the start' },
        tone: 'error',
      });
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return renderMessage(res, status, {
        title: 'Bad request — Assistant Remover',
        heading: 'That request could not be understood',
        paragraphs: ['Nothing was changed.'],
        action: { href: '/', label: 'Go to the start' },
        tone: 'error',
      });
    }
    if (isRedisUnavailable(err) || err instanceof StorageUnavailableError) {
      logger.error({ path: req.path, err: (err as Error).message }, 'redis unavailable');
      res.set('Retry-After', '5');
      return renderMessage(res, 503, {
        title: 'Temporarily unavailable — Assistant Remover',
        heading: 'Temporarily unavailable',
        paragraphs: [
          'The app cannot reach its storage right now. Nothing was changed; try again in a minute.',
        ],
        action: { href: '/', label: 'Try again' },
        tone: 'error',
      });
    }
    const { name, message, stack } = err instanceof Error ? err : new Error(String(err));
    logger.error({ path: req.path, err: { name, message, stack } }, 'unhandled error');
    renderMessage(res, 500, {
      title: 'Something went wrong — Assistant Remover',
      heading: 'Something went wrong',
      paragraphs: ['The app hit an unexpected problem. Nothing more was changed; try again.'],
      action: { href: '/', label: 'Go to the start' },
      tone: 'error',
    });
  };
}
