import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { SandboxContext } from './context';
import {
  AddAssistantsControlBody,
  ClockBody,
  ConfigBody,
  FaultBody,
  RequiredUserBody,
  UserRefBody,
} from './control-schemas';
import { configSnapshot, userSnapshot } from './control-snapshots';
import { parseBody, targetUsers, userOr404 } from './control-util';
import { sendWebhook, urlValidation } from './control-webhooks';
import { errorStatus, pathParam, sendJson } from './http-util';
import { derivedUserId } from './ids';
import { deauthorize } from './remove-app';
import { expireAccessTokens, invalidateAccessTokens, revokeGrant } from './tokens';

function addAssistantsDirect(ctx: SandboxContext, req: Request, res: Response): void {
  const { state } = ctx;
  const user = userOr404(state, pathParam(req, 'user'), res);
  if (!user) return;
  const body = parseBody(AddAssistantsControlBody, req, res);
  if (!body.ok) return;
  for (const email of body.data.emails) {
    if (email.toLowerCase() === user.profile.email.toLowerCase()) {
      return sendJson(res, 400, { error: 'a user cannot be their own assistant' });
    }
  }
  for (const email of body.data.emails) {
    let member = state.findMemberByEmail(email);
    if (!member) {
      member = { id: derivedUserId(email), email };
      state.members.set(member.id, member);
    }
    const memberId = member.id;
    if (user.assistants.some((a) => a.id === memberId)) continue;
    user.assistants.push({
      id: member.id,
      email: member.email,
      can_manage_host_private_event: false,
    });
  }
  sendJson(res, 200, { assistants: user.assistants });
}

function setConfig(ctx: SandboxContext, req: Request, res: Response): void {
  const body = parseBody(ConfigBody, req, res);
  if (!body.ok) return;
  const s = ctx.state.settings;
  const d = body.data;
  if (d.accessTokenTtlSeconds !== undefined) s.accessTokenTtlSeconds = d.accessTokenTtlSeconds;
  if (d.grantScopes !== undefined) {
    const list = typeof d.grantScopes === 'string' ? d.grantScopes.split(/\s+/) : d.grantScopes;
    s.grantScopes = [...new Set(list.filter((x) => x !== ''))];
  }
  if (d.webhookUrl !== undefined) s.webhookUrl = d.webhookUrl ?? undefined;
  if (d.webhookSecretToken !== undefined) s.webhookSecretToken = d.webhookSecretToken ?? undefined;
  if (d.appName !== undefined) s.appName = d.appName;
  sendJson(res, 200, configSnapshot(ctx.state));
}

export function controlRoutes(ctx: SandboxContext): Router {
  const { state } = ctx;
  const router = express.Router();
  router.use(express.json({ limit: '256kb' }));

  router.post('/reset', (_req, res) => {
    state.reset();
    sendJson(res, 200, { ok: true });
  });
  router.get('/stats', (_req, res) => sendJson(res, 200, state.stats));

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
    const body = parseBody(RequiredUserBody, req, res);
    if (!body.ok) return;
    const user = userOr404(state, body.data.user, res);
    if (!user) return;
    sendJson(res, 200, { revoked: revokeGrant(state, user.key) !== undefined });
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
    sendJson(res, 200, {
      revoked: true,
      delivered: delivery.delivered,
      status: delivery.status,
      error: delivery.error,
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
  router.post('/users/:user/assistants', (req, res) => addAssistantsDirect(ctx, req, res));

  router.get('/config', (_req, res) => sendJson(res, 200, configSnapshot(state)));
  router.post('/config', (req, res) => setConfig(ctx, req, res));

  router.post('/clock', (req, res) => {
    const body = parseBody(ClockBody, req, res);
    if (!body.ok) return;
    state.clockOffsetMs += Math.round(body.data.advanceSeconds * 1000);
    sendJson(res, 200, {
      now: new Date(state.now()).toISOString(),
      offsetSeconds: state.clockOffsetMs / 1000,
    });
  });

  router.post('/webhooks/send', (req, res) => sendWebhook(ctx, req, res));
  router.post('/webhooks/url-validation', (_req, res) => urlValidation(ctx, res));

  router.use((_req, res) => sendJson(res, 404, { error: 'unknown control route' }));
  // Malformed JSON bodies and the like; anything worse goes to the app-wide handler.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = errorStatus(err);
    if (status >= 500) return next(err);
    sendJson(res, status, { error: 'bad request body' });
  });
  return router;
}
