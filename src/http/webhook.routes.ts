import { Router, raw, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import type { Services } from '../compose';
import {
  deauthorizedUserId,
  readEvent,
  urlValidationAnswer,
  verifySignature,
} from '../zoom/webhook';

/** Zoom's limit on a notification is far below this; anything larger is not from Zoom. */
const MAX_BODY = '64kb';
const MAX_PLAIN_TOKEN = 256;

/**
 * POST /webhooks/zoom — Zoom's event notifications. The signature is checked on the raw body
 * bytes before anything else is read; only then is the JSON parsed and acted on. Answers are
 * small JSON documents, fast (Zoom wants one within 3 s).
 */
export function webhookRoutes(services: Services, limit: RequestHandler): Router {
  const { config, logger, userData } = services;
  const router = Router();

  router.post(
    '/webhooks/zoom',
    limit,
    raw({ type: () => true, limit: MAX_BODY }),
    async (req, res) => {
      const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifySignature(
        {
          rawBody,
          timestamp: req.get('x-zm-request-timestamp'),
          signature: req.get('x-zm-signature'),
        },
        config.zoom.webhookSecretToken,
        Date.now(),
      );
      if (!check.ok) {
        logger.warn({ reason: check.reason }, 'webhook rejected');
        return json(res, 401, { error: 'invalid signature' });
      }

      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return json(res, 400, { error: 'malformed JSON' });
      }
      const event = readEvent(body);
      if (!event) return json(res, 400, { error: 'not an event notification' });

      if (event.event === 'endpoint.url_validation') {
        const plain = event.payload.plainToken;
        if (typeof plain !== 'string' || plain.length === 0 || plain.length > MAX_PLAIN_TOKEN) {
          return json(res, 400, { error: 'missing plainToken' });
        }
        return json(res, 200, urlValidationAnswer(plain, config.zoom.webhookSecretToken));
      }

      if (event.event === 'app_deauthorized') {
        const userId = deauthorizedUserId(event);
        if (!userId) return json(res, 400, { error: 'missing user_id' });
        const clientId = event.payload.client_id;
        if (typeof clientId === 'string' && clientId !== config.zoom.clientId) {
          logger.warn({ userId }, 'app_deauthorized for another client id ignored');
          return json(res, 200, { status: 'ignored' });
        }
        const deleted = await userData.deleteAll(userId);
        // The audit line: who, when Zoom says it happened, what we deleted. No tokens.
        logger.info(
          { audit: 'app_deauthorized', userId, eventTs: event.eventTs, deleted },
          'user deauthorized the app; their data is deleted',
        );
        return json(res, 200, { status: 'ok' });
      }

      logger.debug({ event: event.event }, 'webhook event ignored');
      return json(res, 200, { status: 'ignored' });
    },
  );

  // Errors on this route answer Zoom in JSON, never with an HTML page.
  const onError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: unknown }).status;
    if (status === 413) return json(res, 413, { error: 'body too large' });
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return json(res, 400, { error: 'bad request' });
    }
    // Zoom retries a 5xx later, which is what a storage outage wants.
    logger.error({ err: err instanceof Error ? err.message : 'unknown' }, 'webhook failed');
    return json(res, 503, { error: 'temporarily unavailable' });
  };
  router.use('/webhooks/zoom', onError);
  return router;
}

function json(res: Response, status: number, body: object): void {
  res.status(status).set('Cache-Control', 'no-store').json(body);
}
