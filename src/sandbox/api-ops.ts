import type { StatName } from './stats';

/** One REST operation: its scopes (zoom-api.md §3/§4), rate-limit label and counter. */
export interface ApiOp {
  counter: StatName;
  category: 'Light' | 'Medium';
  /** Classic scopes, any one suffices. */
  classic: readonly string[];
  /** Granular scopes, any one suffices; these are the ones named in a 4711 message. */
  granular: readonly string[];
  /** Scopes that only count when the path uses `me` (Zoom: user_info:read). */
  meOnly?: readonly string[];
}

const READ_CLASSIC = [
  'user:read',
  'user:write',
  'user:read:admin',
  'user:write:admin',
  'user_profile',
];
const WRITE_CLASSIC = ['user:write:admin', 'user:write'];

export const OPS = {
  getUser: {
    counter: 'users_me',
    category: 'Light',
    classic: READ_CLASSIC,
    granular: ['user:read:user', 'user:read:user:admin'],
    meOnly: ['user_info:read'],
  },
  listAssistants: {
    counter: 'list_assistants',
    category: 'Medium',
    classic: READ_CLASSIC,
    granular: ['user:read:list_assistants', 'user:read:list_assistants:admin'],
  },
  addAssistants: {
    counter: 'add_assistants',
    category: 'Medium',
    classic: WRITE_CLASSIC,
    granular: ['user:write:assistant', 'user:write:assistant:admin'],
  },
  deleteAssistants: {
    counter: 'delete_assistants',
    category: 'Light',
    classic: WRITE_CLASSIC,
    granular: ['user:delete:assistant', 'user:delete:assistant:admin'],
  },
  deleteAssistant: {
    counter: 'delete_assistant',
    category: 'Light',
    classic: WRITE_CLASSIC,
    granular: ['user:delete:assistant', 'user:delete:assistant:admin'],
  },
} as const satisfies Record<string, ApiOp>;

export function hasScope(op: ApiOp, scopes: readonly string[], isMe: boolean): boolean {
  const accepted = [...op.classic, ...op.granular, ...(isMe ? (op.meOnly ?? []) : [])];
  return scopes.some((s) => accepted.includes(s));
}

export function missingScopeMessage(op: ApiOp): string {
  return `Invalid access token, does not contain scopes:[${op.granular.join(', ')}].`;
}
