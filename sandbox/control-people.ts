import express, { type Request, type Response, type Router } from 'express';
import type { SandboxContext } from './context';
import { AddAssistantsControlBody, EmailsBody, MemberBody } from './control-schemas';
import { memberSnapshot } from './control-snapshots';
import { parseBody, userOr404 } from './control-util';
import { pathParam, sendJson } from './http-util';
import {
  assistantsOf,
  ensureMember,
  isDemoUser,
  linkAssistant,
  removeMember,
  schedulersOf,
  setMemberType,
  unlinkWhere,
} from './members';
import type { SandboxState, SandboxUser } from './state';

/**
 * Changes made "elsewhere", as if in Zoom's web settings: they skip the REST API's checks
 * (licence, paid account) so tests can build any situation. Members are created as needed.
 */

function isSelf(user: SandboxUser, email: string): boolean {
  return email.toLowerCase() === user.profile.email.toLowerCase();
}

function addAssistants(state: SandboxState, req: Request, res: Response): void {
  const user = userOr404(state, pathParam(req, 'user'), res);
  if (!user) return;
  const body = parseBody(AddAssistantsControlBody, req, res);
  if (!body.ok) return;
  const entries = [
    ...(body.data.emails ?? []).map((email) => ({ email, flag: undefined })),
    ...(body.data.assistants ?? []).map((a) => ({
      email: a.email,
      flag: a.can_manage_host_private_event,
    })),
  ];
  if (entries.some((e) => isSelf(user, e.email))) {
    return sendJson(res, 400, { error: 'a user cannot be their own assistant' });
  }
  for (const e of entries)
    linkAssistant(state, user.profile.id, ensureMember(state, e.email).id, e.flag);
  sendJson(res, 200, { assistants: assistantsOf(state, user.profile.id) });
}

function removeAssistant(state: SandboxState, req: Request, res: Response): void {
  const user = userOr404(state, pathParam(req, 'user'), res);
  if (!user) return;
  const member = state.findMember(pathParam(req, 'idOrEmail'));
  const owner = user.profile.id;
  const removed = member
    ? unlinkWhere(state, (l) => l.ownerId === owner && l.assistantId === member.id) > 0
    : false;
  sendJson(res, 200, { removed, assistants: assistantsOf(state, owner) });
}

function addSchedulers(state: SandboxState, req: Request, res: Response): void {
  const user = userOr404(state, pathParam(req, 'user'), res);
  if (!user) return;
  const body = parseBody(EmailsBody, req, res);
  if (!body.ok) return;
  if (body.data.emails.some((email) => isSelf(user, email))) {
    return sendJson(res, 400, { error: 'a user cannot be their own scheduler' });
  }
  // The user becomes an assistant of each of them.
  for (const email of body.data.emails) {
    linkAssistant(state, ensureMember(state, email).id, user.profile.id);
  }
  sendJson(res, 200, { schedulers: schedulersOf(state, user.profile.id) });
}

function removeScheduler(state: SandboxState, req: Request, res: Response): void {
  const user = userOr404(state, pathParam(req, 'user'), res);
  if (!user) return;
  const member = state.findMember(pathParam(req, 'idOrEmail'));
  const me = user.profile.id;
  const removed = member
    ? unlinkWhere(state, (l) => l.assistantId === me && l.ownerId === member.id) > 0
    : false;
  sendJson(res, 200, { removed, schedulers: schedulersOf(state, me) });
}

function upsertMember(state: SandboxState, req: Request, res: Response): void {
  const body = parseBody(MemberBody, req, res);
  if (!body.ok) return;
  const created = state.findMemberByEmail(body.data.email) === undefined;
  const member = ensureMember(state, body.data.email);
  if (body.data.type !== undefined) setMemberType(state, member, body.data.type);
  sendJson(res, 200, { created, member: memberSnapshot(state, member) });
}

/** Removes someone from the account, as an admin would; their links go with them. */
function deleteMember(state: SandboxState, req: Request, res: Response): void {
  const ref = pathParam(req, 'idOrEmail');
  const member = state.findMember(ref);
  if (!member) return sendJson(res, 404, { error: `unknown member: ${ref}` });
  if (isDemoUser(state, member.id)) {
    return sendJson(res, 409, {
      error: 'demo users stay; to emulate their removal use revoke-grant {answer:"owner_gone"}',
    });
  }
  removeMember(state, member);
  sendJson(res, 200, { removed: true });
}

export function peopleRoutes(ctx: SandboxContext): Router {
  const { state } = ctx;
  const router = express.Router();
  router.post('/users/:user/assistants', (req, res) => addAssistants(state, req, res));
  router.delete('/users/:user/assistants/:idOrEmail', (req, res) =>
    removeAssistant(state, req, res),
  );
  router.post('/users/:user/schedulers', (req, res) => addSchedulers(state, req, res));
  router.delete('/users/:user/schedulers/:idOrEmail', (req, res) =>
    removeScheduler(state, req, res),
  );
  router.get('/members', (_req, res) =>
    sendJson(res, 200, {
      members: [...state.members.values()].map((m) => memberSnapshot(state, m)),
    }),
  );
  router.post('/members', (req, res) => upsertMember(state, req, res));
  router.delete('/members/:idOrEmail', (req, res) => deleteMember(state, req, res));
  return router;
}
