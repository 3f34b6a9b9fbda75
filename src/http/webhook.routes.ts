import { createHash } from 'node:crypto';
import { Router, raw, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { DeauthorizeOutcome } from '../zoom/use-cases/deauthorize';
import {
  DEAUTHORIZATION_TOLERANCE_SECONDS,
  SIGNATURE_TOLERANCE_SECONDS,
  readEvent,
  urlValidationAnswer,
  verifySignature,
  type SignatureCheck,
  type ZoomEvent,
} from '../zoom/webhook';
import type { RateLimits } from './rate-limits';

export type Deauthorize = (
  event: ZoomEvent,
  signedAt: number,
  ageSeconds: number,
) => Promise<DeauthorizeOutcome>;

const DEAUTHORIZE_ANSWERS: Record<DeauthorizeOutcome['kind'], object> = {
  erased: { status: 'ok' },
  newer_grant: { status: 'newer grant kept' },
  other_app: { status: 'ignored' },
  no_user: { error: 'missing user_id' },
};

/** Zoom's limit on a notification is far below this; anything larger is not from Zoom. */
const MAX_BODY = '64kb';
const MAX_PLAIN_TOKEN = 256;
const EVENT_NAME = /^[A-Za-z0-9_.]{1,64}$/;

/**
 * POST /webhooks/zoom — Zoom's event notifications. The signature is checked on the raw body
 * bytes before anything else is read; only then is the JSON parsed and acted on. Answers are
 * small JSON documents, fast (Zoom wants one within 3 s). Zoom retries only after a 5xx or
 * no answer, so a failure of ours that should be retried (storage down) answers 503.
 */
export function webhookRoutes(
  config: Pick<Config, 'zoom'>,
  logger: Logger,
  deauthorize: Deauthorize,
  badWebhook: RateLimits['badWebhook'],
): Router {
  const router = Router();

  /** A failed check: one diagnosable warning (never the secret, nor the signature), then 401. */
  async function refuse(
    req: Request,
    res: Response,
    rawBody: Buffer,
    check: Extract<SignatureCheck, { ok: false }>,
  ): Promise<void> {
    logger.warn(
      {
        reason: check.reason,
        timestampAgeSeconds: check.ageSeconds,
        bodyBytes: rawBody.length,
        bodySha256: createHash('sha256').update(rawBody).digest('hex'),
        event: claimedEvent(rawBody),
      },
      'webhook rejected',
    );
    let wait: number | null = null;
    try {
      wait = await badWebhook(req);
    } catch {
      // The counter is only a brake on noise; without Redis the answer is still a 401.
    }
    if (wait !== null) {
      res.set('Retry-After', String(wait));
      return json(res, 429, { error: 'rate limited', retryAfterSeconds: wait });
    }
    json(res, 401, { error: 'invalid signature' });
  }

  router.post('/webhooks/zoom', raw({ type: () => true, limit: MAX_BODY }), async (req, res) => {
    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verifySignature(
      {
        rawBody,
        timestamp: req.get('x-zm-request-timestamp'),
        signature: req.get('x-zm-signature'),
      },
      config.zoom.webhookSecretToken,
      Date.now(),
      DEAUTHORIZATION_TOLERANCE_SECONDS,
    );
    if (!check.ok) return refuse(req, res, rawBody, check);

    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return json(res, 400, { error: 'malformed JSON' });
    }
    const event = readEvent(body);
    if (!event) return json(res, 400, { error: 'not an event notification' });
    // Only a deauthorization is taken late (see DEAUTHORIZATION_TOLERANCE_SECONDS).
    if (event.event !== 'app_deauthorized' && check.ageSeconds > SIGNATURE_TOLERANCE_SECONDS) {
      return refuse(req, res, rawBody, {
        ok: false,
        reason: 'stale_timestamp',
        ageSeconds: check.ageSeconds,
      });
    }

    if (event.event === 'endpoint.url_validation') {
      const plain = event.payload.plainToken;
      if (typeof plain !== 'string' || plain.length === 0 || plain.length > MAX_PLAIN_TOKEN) {
        return json(res, 400, { error: 'missing plainToken' });
      }
      return json(res, 200, urlValidationAnswer(plain, config.zoom.webhookSecretToken));
    }

    if (event.event === 'app_deauthorized') {
      const signedAt = Number(req.get('x-zm-request-timestamp')) * 1000;
      const outcome = await deauthorize(event, signedAt, check.ageSeconds);
      return json(res, outcome.kind === 'no_user' ? 400 : 200, DEAUTHORIZE_ANSWERS[outcome.kind]);
    }

    logger.debug({ event: event.event }, 'webhook event ignored');
    return json(res, 200, { status: 'ignored' });
  });

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

/** The event a rejected body claims to be, for the log: a short name or null, never content. */
function claimedEvent(rawBody: Buffer): string | null {
  try {
    const v = (JSON.parse(rawBody.toString('utf8')) as { event?: unknown }).event;
    return typeof v === 'string' && EVENT_NAME.test(v) ? v : null;
  } catch {
    return null;
  }
}

function json(res: Response, status: number, body: object): void {
  res.status(status).set('Cache-Control', 'no-store').json(body);
}
