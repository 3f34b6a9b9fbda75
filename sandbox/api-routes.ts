import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { addAssistants, deleteAssistant, deleteAssistants, listAssistants } from './api-assistants';
import { OPS } from './api-ops';
import { apiRoute } from './api-route';
import { deleteScheduler, deleteSchedulers, listSchedulers } from './api-schedulers';
import type { SandboxContext } from './context';
import { sendJson } from './http-util';

export function apiRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  const { state } = ctx;
  router.get(
    '/users/:userId',
    apiRoute(ctx, OPS.getUser, (_req, res, call) => sendJson(res, 200, call.user.profile)),
  );
  router.get(
    '/users/:userId/assistants',
    apiRoute(ctx, OPS.listAssistants, (_req, res, call) => listAssistants(state, res, call)),
  );
  router.post(
    '/users/:userId/assistants',
    // Raw text, parsed after auth, so a bad body cannot pre-empt the 401/4711 checks.
    express.text({ type: () => true, limit: '64kb' }),
    apiRoute(ctx, OPS.addAssistants, (req, res, call) => addAssistants(state, req, res, call)),
  );
  router.delete(
    '/users/:userId/assistants',
    apiRoute(ctx, OPS.deleteAssistants, (_req, res, call) => deleteAssistants(state, res, call)),
  );
  router.delete(
    '/users/:userId/assistants/:assistantId',
    apiRoute(ctx, OPS.deleteAssistant, (req, res, call) => deleteAssistant(state, req, res, call)),
  );
  router.get(
    '/users/:userId/schedulers',
    apiRoute(ctx, OPS.listSchedulers, (_req, res, call) => listSchedulers(state, res, call)),
  );
  router.delete(
    '/users/:userId/schedulers',
    apiRoute(ctx, OPS.deleteSchedulers, (_req, res, call) => deleteSchedulers(state, res, call)),
  );
  router.delete(
    '/users/:userId/schedulers/:schedulerId',
    apiRoute(ctx, OPS.deleteScheduler, (req, res, call) => deleteScheduler(state, req, res, call)),
  );
  router.use((_req, res) => sendJson(res, 404, { code: 404, message: 'Not Found' }));
  // Body too large and similar parser errors, in Zoom's error shape.
  router.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) =>
    sendJson(res, 400, { code: 300, message: 'Request Body should be a valid JSON object.' }),
  );
  return router;
}
