import type { RateLabel } from './daily-limits';
import type { StatName } from './stats';

/**
 * One REST operation: its scopes, rate-limit label and counter, as the Users API spec lists them
 * (x-macro-scopes / x-granular-scopes per operation, https://developers.zoom.us/docs/api/users/).
 */
export interface ApiOp {
  counter: StatName;
  category: RateLabel;
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
  // userSchedulers: the same classic read list as userAssistants.
  listSchedulers: {
    counter: 'list_schedulers',
    category: 'Medium',
    classic: READ_CLASSIC,
    granular: ['user:read:list_schedulers', 'user:read:list_schedulers:admin'],
  },
  deleteSchedulers: {
    counter: 'delete_schedulers',
    category: 'Light',
    classic: WRITE_CLASSIC,
    granular: ['user:delete:scheduler', 'user:delete:scheduler:admin'],
  },
  deleteScheduler: {
    counter: 'delete_scheduler',
    category: 'Light',
    classic: WRITE_CLASSIC,
    granular: ['user:delete:scheduler', 'user:delete:scheduler:admin'],
  },
} as const satisfies Record<string, ApiOp>;

export function hasScope(op: ApiOp, scopes: readonly string[], isMe: boolean): boolean {
  const accepted = [...op.classic, ...op.granular, ...(isMe ? (op.meOnly ?? []) : [])];
  return scopes.some((s) => accepted.includes(s));
}

export function missingScopeMessage(op: ApiOp): string {
  return `Invalid access token, does not contain scopes:[${op.granular.join(', ')}].`;
}
