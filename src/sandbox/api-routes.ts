import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { OPS } from './api-ops';
import { apiRoute, type ApiCall } from './api-route';
import type { SandboxContext } from './context';
import { pathParam, sendJson, zoomDate } from './http-util';
import type { AccountMember, Assistant, SandboxState } from './state';

/** Loose shape check for path ids; anything else is answered like an unknown user. */
const ASSISTANT_ID_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

const AddAssistantsBody = z.object({
  assistants: z
    .array(
      z
        .object({
          id: z.string().min(1).optional(),
          email: z.string().min(1).optional(),
          can_manage_host_private_event: z.boolean().optional(),
        })
        .refine((a) => a.id !== undefined || a.email !== undefined, { message: 'id or email' }),
    )
    .min(1)
    .max(30),
});

function getUser(_req: Request, res: Response, call: ApiCall): void {
  sendJson(res, 200, call.user.profile);
}

function listAssistants(_req: Request, res: Response, call: ApiCall): void {
  sendJson(res, 200, { assistants: call.user.assistants.map((a) => ({ ...a })) });
}

/** Zoom's 400 answers for this call carry code 200 (zoom-api.md §3). */
function addError(res: Response, message: string): void {
  sendJson(res, 400, { code: 200, message });
}

function addAssistants(state: SandboxState, req: Request, res: Response, call: ApiCall): void {
  let json: unknown;
  try {
    json = JSON.parse(typeof req.body === 'string' ? req.body : '');
  } catch {
    return sendJson(res, 400, {
      code: 300,
      message: 'Request Body should be a valid JSON object.',
    });
  }
  const parsed = AddAssistantsBody.safeParse(json);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({
      field: i.path.join('.'),
      message: 'Invalid field.',
    }));
    return sendJson(res, 400, { code: 300, message: 'Validation Failed.', errors });
  }
  const user = call.user;
  const toAdd: Assistant[] = [];
  // Validate everything first so a failing request changes nothing.
  for (const entry of parsed.data.assistants) {
    const ident = entry.id ?? entry.email ?? '';
    const member: AccountMember | undefined =
      entry.id !== undefined ? state.members.get(entry.id) : state.findMemberByEmail(ident);
    if (!member) return addError(res, `Can't find user ${ident}.`);
    if (member.id === user.profile.id) {
      return addError(res, "Can't assign scheduling privilege to yourself.");
    }
    const already = [...user.assistants, ...toAdd].some((a) => a.id === member.id);
    if (already)
      return addError(res, `User ${member.email} has already granted scheduling privilege.`);
    toAdd.push({
      id: member.id,
      email: member.email,
      can_manage_host_private_event: entry.can_manage_host_private_event ?? false,
    });
  }
  user.assistants.push(...toAdd);
  sendJson(res, 201, { ids: toAdd.map((a) => a.id).join(','), add_at: zoomDate(state.now()) });
}

function deleteAssistants(_req: Request, res: Response, call: ApiCall): void {
  // [UNCONFIRMED] the answer when there are no assistants; assumed 204 like the normal case.
  call.user.assistants = [];
  res.status(204).end();
}

function deleteAssistant(req: Request, res: Response, call: ApiCall): void {
  const assistantId = pathParam(req, 'assistantId');
  const index = ASSISTANT_ID_SHAPE.test(assistantId)
    ? call.user.assistants.findIndex((a) => a.id === assistantId)
    : -1;
  if (index < 0) {
    // [UNCONFIRMED] the answer for an id that is not one of the user's assistants.
    return sendJson(res, 404, { code: 1001, message: `User does not exist: ${assistantId}.` });
  }
  call.user.assistants.splice(index, 1);
  res.status(204).end();
}

export function apiRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  const { state } = ctx;
  router.get('/users/:userId', apiRoute(ctx, OPS.getUser, getUser));
  router.get('/users/:userId/assistants', apiRoute(ctx, OPS.listAssistants, listAssistants));
  router.post(
    '/users/:userId/assistants',
    // Raw text, parsed after auth, so a bad body cannot pre-empt the 401/4711 checks.
    express.text({ type: () => true, limit: '64kb' }),
    apiRoute(ctx, OPS.addAssistants, (req, res, call) => addAssistants(state, req, res, call)),
  );
  router.delete('/users/:userId/assistants', apiRoute(ctx, OPS.deleteAssistants, deleteAssistants));
  router.delete(
    '/users/:userId/assistants/:assistantId',
    apiRoute(ctx, OPS.deleteAssistant, deleteAssistant),
  );
  router.use((_req, res) => sendJson(res, 404, { code: 404, message: 'Not Found' }));
  // Body too large and similar parser errors, in Zoom's error shape.
  router.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) =>
    sendJson(res, 400, { code: 300, message: 'Request Body should be a valid JSON object.' }),
  );
  return router;
}
