import { putBack } from '../removals';
import type { ActionDescriptor, ActionName } from './action';

// Zoom's scopes for each call, any one of them (granular for new apps, classic `user:write`).
const CLASSIC_WRITE = ['user:write', 'user:write:admin'];
const DELETE_ASSISTANT = ['user:delete:assistant', 'user:delete:assistant:admin', ...CLASSIC_WRITE];
const ADD_ASSISTANT = ['user:write:assistant', 'user:write:assistant:admin', ...CLASSIC_WRITE];
const DELETE_SCHEDULER = ['user:delete:scheduler', 'user:delete:scheduler:admin', ...CLASSIC_WRITE];

const removeAssistant: ActionDescriptor = {
  name: 'remove-assistant',
  route: '/assistants/:id/remove',
  target: 'person',
  confirm: false,
  scopes: DELETE_ASSISTANT,
  records: 'removal',
  run: (ctx, { id, shownEmail }) =>
    ctx.withZoom(async (zoom) => {
      // Read just now, so the record holds their setting and a removal made elsewhere is not "undone".
      const who = (await zoom.listAssistants()).find((a) => a.id === id);
      if (!who) return { kind: 'nothing_there', email: shownEmail };
      await zoom.deleteAssistant(who.id);
      return { kind: 'took', people: [who] };
    }),
};

const removeAllAssistants: ActionDescriptor = {
  name: 'remove-all-assistants',
  route: '/assistants/clear',
  target: 'none',
  confirm: true,
  scopes: DELETE_ASSISTANT,
  records: 'removal',
  run: (ctx) =>
    ctx.withZoom(async (zoom) => {
      const present = await zoom.listAssistants();
      if (present.length === 0) return { kind: 'nothing_there', email: null };
      await zoom.deleteAllAssistants();
      return { kind: 'took', people: present };
    }),
};

const undoRemoval: ActionDescriptor = {
  name: 'undo-removal',
  route: '/history/:id/undo',
  target: 'removal',
  confirm: false,
  scopes: ADD_ASSISTANT,
  records: 'undo',
  async run(ctx, { id }) {
    const { history, grant } = ctx;
    const claim = await history.claim(grant.userId, id ?? '', ctx.now());
    if (claim.kind === 'missing' || claim.kind === 'running') {
      return { kind: 'undo_unavailable', why: claim.kind };
    }
    if (claim.kind === 'done') {
      const undo = claim.removal.undo;
      return {
        kind: 'undo_unavailable',
        why: 'done',
        ...(undo.state === 'done' && { doneAt: undo.at }),
      };
    }
    const removal = claim.removal;
    let settled = false;
    try {
      const result = await ctx.withZoom((zoom) =>
        putBack(removal.assistants, (batch) => zoom.addAssistants(batch)),
      );
      if (result.failure === undefined) {
        await history.settle(grant.userId, removal, {
          state: 'done',
          at: ctx.now(),
          outcomes: result.outcomes,
        });
        settled = true;
        return { kind: 'put_back', outcomes: result.outcomes };
      }
      await history.settle(grant.userId, removal, { state: 'available' });
      settled = true;
      throw result.failure;
    } finally {
      // Whatever went wrong (Zoom, storage, a refused grant), the entry stays available.
      if (!settled) {
        await history.settle(grant.userId, removal, { state: 'available' }).catch(() => undefined);
      }
    }
  },
};

const stepDown: ActionDescriptor = {
  name: 'step-down',
  route: '/schedulers/:id/step-down',
  target: 'person',
  confirm: false,
  scopes: DELETE_SCHEDULER,
  records: 'nothing',
  run: (ctx, { id, shownEmail }) =>
    ctx.withZoom(async (zoom) => {
      await zoom.deleteScheduler(id ?? '');
      return { kind: 'stepped_down', email: shownEmail, count: 1 };
    }),
};

const stepDownAll: ActionDescriptor = {
  name: 'step-down-all',
  route: '/schedulers/step-down',
  target: 'none',
  confirm: true,
  scopes: DELETE_SCHEDULER,
  records: 'nothing',
  run: (ctx, { shownCount }) =>
    ctx.withZoom(async (zoom) => {
      await zoom.deleteAllSchedulers();
      return { kind: 'stepped_down', email: null, count: shownCount };
    }),
};

const disconnect: ActionDescriptor = {
  name: 'disconnect',
  route: '/disconnect',
  target: 'none',
  confirm: true,
  scopes: [],
  records: 'nothing',
  async run(ctx) {
    const { revokedAtZoom } = await ctx.disconnect();
    return { kind: 'disconnected', revokedAtZoom };
  },
};

/** Every user action. */
export const ACTIONS: readonly ActionDescriptor[] = [
  removeAssistant,
  removeAllAssistants,
  undoRemoval,
  stepDown,
  stepDownAll,
  disconnect,
];

export function actionNamed(name: ActionName): ActionDescriptor {
  const action = ACTIONS.find((a) => a.name === name);
  if (!action) throw new Error(`no action ${name}`);
  return action;
}

/** The grant holds none of the scopes the action needs (an empty list is not known: allowed). */
export function lacksPermission(action: ActionDescriptor, grantScopes: readonly string[]): boolean {
  if (action.scopes.length === 0 || grantScopes.length === 0) return false;
  return !action.scopes.some((s) => grantScopes.includes(s));
}
