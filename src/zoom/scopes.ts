/**
 * The granular scopes the app's Marketplace entry must request, each with the calls that need
 * it (api.ts) and why, in words a reviewer and a user read (/help, README "Publishing on the
 * Marketplace"). Zoom grants what the app's entry lists; the authorize URL names none.
 */

export interface ScopeUse {
  readonly scope: string;
  /** The REST calls, under https://api.zoom.us/v2, that need it. */
  readonly calls: readonly string[];
  readonly why: string;
}

export const SCOPES: readonly ScopeUse[] = [
  {
    scope: 'user:read:user',
    calls: ['GET /users/me'],
    why: 'to know who signed in: the dashboard shows the name and email of the account it acts on, and times in its time zone',
  },
  {
    scope: 'user:read:list_assistants',
    calls: ['GET /users/me/assistants'],
    why: 'to list the assistants: the people who can schedule meetings for the user',
  },
  {
    scope: 'user:delete:assistant',
    calls: ['DELETE /users/me/assistants', 'DELETE /users/me/assistants/{id}'],
    why: 'to remove one assistant, or all of them, when the user presses Remove, and an assistant whose end (set by the user) has come',
  },
  {
    scope: 'user:write:assistant',
    calls: ['POST /users/me/assistants'],
    why: 'to add an assistant when the user presses Add assistant, and for Undo: to put back exactly the assistants a removal took',
  },
  {
    scope: 'user:read:list_schedulers',
    calls: ['GET /users/me/schedulers'],
    why: 'to list the people who made the user their assistant',
  },
  {
    scope: 'user:delete:scheduler',
    calls: ['DELETE /users/me/schedulers', 'DELETE /users/me/schedulers/{id}'],
    why: 'to step down as someone’s assistant, or everyone’s, when the user presses Step down',
  },
];
