import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { SandboxContext } from './context';
import { benchGrants } from './control-bench';
import { setConfig } from './control-config';
import { peopleRoutes } from './control-people';
import {
  ClockBody,
  DailyUsageBody,
  FaultBody,
  RequiredUserBody,
  RevokeGrantBody,
  UserRefBody,
} from './control-schemas';
import { configSnapshot, userSnapshot } from './control-snapshots';
import { parseBody, targetUsers, userOr404 } from './control-util';
import { nextUtcMidnight, usageSnapshot, usageToday } from './daily-limits';
import { sendWebhook, urlValidation } from './control-webhooks';
import { errorStatus, pathParam, sendJson } from './http-util';
import { deauthorize } from './remove-app';
import { expireAccessTokens, invalidateAccessTokens, revokeGrant } from './tokens';

export function controlRoutes(ctx: SandboxContext): Router {
  const { state } = ctx;
  const router = express.Router();
  router.use(express.json({ limit: '256kb' }));

  router.post('/reset', (_req, res) => {
    state.reset();
    sendJson(res, 200, { ok: true });
  });
  router.get('/stats', (_req, res) => sendJson(res, 200, state.stats));
  router.post('/bench-grants', (req, res) => benchGrants(ctx, req, res));

  router.post('/expire-tokens', (req, res) => {
    const body = parseBody(UserRefBody, req, res);
    if (!body.ok) return;
    const target = targetUsers(state, body.data.user, res);
    if (target) sendJson(res, 200, { expired: expireAccessTokens(state, target.userKey) });
  });
  router.post('/invalidate-access-tokens', (req, res) => {
    const body = parseBody(UserRefBody, req, res);
    if (!body.ok) return;
    const target = targetUsers(state, body.data.user, res);
    if (target) sendJson(res, 200, { invalidated: invalidateAccessTokens(state, target.userKey) });
  });
  router.post('/revoke-grant', (req, res) => {
    const body = parseBody(RevokeGrantBody, req, res);
    if (!body.ok) return;
    const user = userOr404(state, body.data.user, res);
    if (!user) return;
    const revoked = revokeGrant(state, user.key, body.data.answer) !== undefined;
    sendJson(res, 200, { revoked, answer: revoked ? (body.data.answer ?? null) : null });
  });
  router.post('/remove-app', async (req, res) => {
    const body = parseBody(RequiredUserBody, req, res);
    if (!body.ok) return;
    const user = userOr404(state, body.data.user, res);
    if (!user) return;
    state.stats.remove_app += 1;
    if (!state.activeGrant(user.key)) {
      return sendJson(res, 409, { error: 'the app is not installed for this user' });
    }
    const { delivery } = await deauthorize(ctx, user);
    // The first delivery attempt; retries show in GET /_sandbox/webhooks/deliveries.
    sendJson(res, 200, {
      revoked: true,
      delivered: delivery.delivered,
      status: delivery.status,
      error: delivery.error,
      delivery_id: delivery.id ?? null,
    });
  });

  router.get('/faults', (_req, res) => sendJson(res, 200, { faults: state.faults }));
  router.post('/faults', (req, res) => {
    const body = parseBody(FaultBody, req, res);
    if (!body.ok) return;
    const d = body.data;
    state.faults.push({
      target: d.target,
      status: d.status,
      remaining: d.count ?? 1,
      delayMs: d.delayMs ?? 0,
      retryAfter: d.retryAfter,
      rateLimitType: d.rateLimitType ?? 'QPS',
      body: d.body,
      refusal: d.refusal,
      path: d.path,
      method: d.method,
    });
    sendJson(res, 200, { faults: state.faults });
  });
  router.delete('/faults', (_req, res) => {
    const cleared = state.faults.length;
    state.faults = [];
    sendJson(res, 200, { cleared });
  });

  router.get('/users', (_req, res) =>
    sendJson(res, 200, { users: [...state.users.values()].map((u) => userSnapshot(state, u)) }),
  );
  router.get('/users/:user', (req, res) => {
    const user = userOr404(state, pathParam(req, 'user'), res);
    if (user) sendJson(res, 200, userSnapshot(state, user));
  });
  router.use(peopleRoutes(ctx));

  router.get('/config', (_req, res) => sendJson(res, 200, configSnapshot(state)));
  router.post('/config', (req, res) => setConfig(ctx, req, res));

  const clock = (now = state.now()): Record<string, unknown> => ({
    now: new Date(now).toISOString(),
    offsetSeconds: state.clockOffsetMs / 1000,
  });
  router.get('/clock', (_req, res) => sendJson(res, 200, clock()));
  router.post('/clock', (req, res) => {
    const body = parseBody(ClockBody, req, res);
    if (!body.ok) return;
    const d = body.data;
    const now = state.now();
    const advanceMs = 'to' in d ? nextUtcMidnight(now) - now : Math.round(d.advanceSeconds * 1000);
    state.clockOffsetMs += advanceMs;
    // The moment it was moved to, not a fresh read a millisecond later.
    sendJson(res, 200, clock(now + advanceMs));
  });

  router.get('/daily-usage', (_req, res) => sendJson(res, 200, usageSnapshot(state)));
  router.post('/daily-usage', (req, res) => {
    const body = parseBody(DailyUsageBody, req, res);
    if (!body.ok) return;
    const usage = usageToday(state);
    if (body.data.used.Light !== undefined) usage.used.Light = body.data.used.Light;
    if (body.data.used.Medium !== undefined) usage.used.Medium = body.data.used.Medium;
    sendJson(res, 200, usageSnapshot(state));
  });

  router.post('/webhooks/send', (req, res) => sendWebhook(ctx, req, res));
  router.post('/webhooks/url-validation', (_req, res) => urlValidation(ctx, res));
  router.get('/webhooks/deliveries', (_req, res) =>
    sendJson(res, 200, { deliveries: state.deliveries }),
  );

  router.use((_req, res) => sendJson(res, 404, { error: 'unknown control route' }));
  // Malformed JSON bodies and the like; anything worse goes to the app-wide handler.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = errorStatus(err);
    if (status >= 500) return next(err);
    sendJson(res, status, { error: 'bad request body' });
  });
  return router;
}
