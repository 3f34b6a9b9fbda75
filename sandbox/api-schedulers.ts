import type { Request, Response } from 'express';
import type { ApiCall } from './api-route';
import { pathParam, sendJson } from './http-util';
import { LIST_MAXIMUM, schedulersOf, unlinkWhere } from './members';
import type { SandboxState } from './state';

/**
 * The schedulers operations of the Users API (S-USERS `userSchedulers`, `userSchedulersDelete`,
 * `userSchedulerDelete`): the people for whom the user is an assistant. They read and change
 * the same links as the assistants operations, seen from the other side.
 */

export function listSchedulers(state: SandboxState, res: Response, call: ApiCall): void {
  const all = schedulersOf(state, call.user.profile.id);
  // [UNCONFIRMED] page_size and total_records: the spec's schema and Rivet's type list only
  // `schedulers`; they are sent as the app's reference notes describe.
  sendJson(res, 200, {
    schedulers: all.slice(0, LIST_MAXIMUM),
    page_size: LIST_MAXIMUM,
    total_records: all.length,
  });
}

/** "the current user will no longer be a scheduling assistant of any user" */
export function deleteSchedulers(state: SandboxState, res: Response, call: ApiCall): void {
  const me = call.user.profile.id;
  unlinkWhere(state, (l) => l.assistantId === me);
  res.status(204).end();
}

export function deleteScheduler(
  state: SandboxState,
  req: Request,
  res: Response,
  call: ApiCall,
): void {
  const schedulerId = pathParam(req, 'schedulerId');
  const me = call.user.profile.id;
  const removed = unlinkWhere(state, (l) => l.assistantId === me && l.ownerId === schedulerId);
  // [UNCONFIRMED] an id that is not a scheduler: 204 by analogy with the assistants case,
  // or 404 1001 (the only error the spec lists) with `unknownSchedulerDelete: 404`.
  if (removed === 0 && state.settings.unknownSchedulerDelete === 404) {
    return sendJson(res, 404, { code: 1001, message: `User does not exist: ${schedulerId}.` });
  }
  res.status(204).end();
}
