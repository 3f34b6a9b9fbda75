import type { Request, Response } from 'express';
import type { SandboxContext } from './context';
import { WebhookSendBody } from './control-schemas';
import { parseBody } from './control-util';
import { sendJson } from './http-util';
import { deliverWebhook } from './webhook-delivery';
import {
  encryptPlainToken,
  newPlainToken,
  postWebhook,
  prepareWebhook,
  urlValidationBody,
} from './webhooks';

/** `POST /_sandbox/webhooks/send`: one event, signed as asked, retried on Zoom's schedule. */
export async function sendWebhook(ctx: SandboxContext, req: Request, res: Response): Promise<void> {
  const body = parseBody(WebhookSendBody, req, res);
  if (!body.ok) return;
  const d = body.data;
  const sign = d.sign ?? 'valid';
  if (sign === 'valid' && ctx.state.settings.webhookSecretToken === undefined) {
    return sendJson(res, 409, { error: 'no webhookSecretToken configured to sign with' });
  }
  const rawBody =
    d.rawBody ?? JSON.stringify({ event: d.event, event_ts: Date.now(), payload: d.payload ?? {} });
  const result = await deliverWebhook(ctx, rawBody, { sign, timestamp: d.timestamp });
  sendJson(res, 200, result);
}

/** `POST /_sandbox/webhooks/url-validation`: Zoom's CRC challenge, and a check of the answer. */
export async function urlValidation(ctx: SandboxContext, res: Response): Promise<void> {
  const secret = ctx.state.settings.webhookSecretToken;
  if (secret === undefined) {
    return sendJson(res, 409, { error: 'no webhookSecretToken configured' });
  }
  const plainToken = newPlainToken();
  const expected = { plainToken, encryptedToken: encryptPlainToken(secret, plainToken) };
  const hook = prepareWebhook(ctx.state, urlValidationBody(plainToken), { sign: 'valid' });
  // A CRC is not an event: a failed one is not retried (Zoom re-validates every 72 h instead).
  const result = hook
    ? await postWebhook(ctx, hook.url, hook.headers, hook.rawBody)
    : { status: 0, body: '', error: 'no webhookUrl configured' };
  let got: unknown = result.body;
  try {
    got = JSON.parse(result.body);
  } catch {
    // Not JSON: report the text as received.
  }
  const gotRecord = typeof got === 'object' && got !== null ? (got as Record<string, unknown>) : {};
  const ok =
    result.status === 200 &&
    gotRecord['plainToken'] === expected.plainToken &&
    gotRecord['encryptedToken'] === expected.encryptedToken;
  sendJson(res, 200, { ok, status: result.status, expected, got, error: result.error });
}
