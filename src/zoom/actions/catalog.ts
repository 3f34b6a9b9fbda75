import type { ActionDescriptor, ActionName } from './action';
import { addAssistant, removeAssistants, setEnd, stepDown, undoRemoval } from './flows';

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
  run: (ctx, input) => removeAssistants(ctx, input, 'one'),
};

const removeAllAssistants: ActionDescriptor = {
  name: 'remove-all-assistants',
  route: '/assistants/clear',
  target: 'none',
  confirm: true,
  scopes: DELETE_ASSISTANT,
  records: 'removal',
  run: (ctx, input) => removeAssistants(ctx, input, 'all'),
};

const undo: ActionDescriptor = {
  name: 'undo-removal',
  route: '/history/:id/undo',
  target: 'removal',
  confirm: false,
  scopes: ADD_ASSISTANT,
  records: 'undo',
  run: undoRemoval,
};

// Not undoable from here (only that person can give the privilege back): confirmed first.
const stepDownOne: ActionDescriptor = {
  name: 'step-down',
  route: '/schedulers/:id/step-down',
  target: 'person',
  confirm: true,
  scopes: DELETE_SCHEDULER,
  records: 'change',
  run: (ctx, input) => stepDown(ctx, input, 'one'),
};

const stepDownAll: ActionDescriptor = {
  name: 'step-down-all',
  route: '/schedulers/step-down',
  target: 'none',
  confirm: true,
  scopes: DELETE_SCHEDULER,
  records: 'change',
  run: (ctx, input) => stepDown(ctx, input, 'all'),
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

const add: ActionDescriptor = {
  name: 'add-assistant',
  route: '/assistants/add',
  target: 'none',
  confirm: false,
  // Its end is carried out later with a removal: both permissions, asked for on the add.
  scopes: ADD_ASSISTANT,
  records: 'change',
  run: addAssistant,
};

// Sets, changes or cancels an end; the sweep removes the assistant when it comes.
const end: ActionDescriptor = {
  name: 'set-end',
  route: '/assistants/:id/end',
  target: 'person',
  confirm: false,
  scopes: DELETE_ASSISTANT,
  records: 'nothing',
  run: setEnd,
};

/** Every user action. */
export const ACTIONS: readonly ActionDescriptor[] = [
  removeAssistant,
  removeAllAssistants,
  undo,
  stepDownOne,
  stepDownAll,
  disconnect,
  add,
  end,
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
