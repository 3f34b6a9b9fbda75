import type { Request, Response } from 'express';
import { newSessionId } from './ids';
import { readCookie } from './http-util';
import type { SandboxState, SandboxUser } from './state';

/**
 * The sandbox's own "signed in to zoom.us" cookie. Its value is a random session id held in
 * this instance's state, so two sandboxes on 127.0.0.1 (cookies ignore ports) never mix users.
 */
export const SESSION_COOKIE = 'zsb_user';

export function signedInUser(state: SandboxState, req: Request): SandboxUser | undefined {
  const sid = readCookie(req, SESSION_COOKIE);
  const key = sid === undefined ? undefined : state.sessions.get(sid);
  return key === undefined ? undefined : state.users.get(key);
}

export function signIn(state: SandboxState, req: Request, res: Response, userKey: string): void {
  const old = readCookie(req, SESSION_COOKIE);
  if (old !== undefined) state.sessions.delete(old);
  const sid = newSessionId();
  state.sessions.set(sid, userKey);
  res.cookie(SESSION_COOKIE, sid, { httpOnly: true, sameSite: 'lax', path: '/' });
}

export function signOut(state: SandboxState, req: Request, res: Response): void {
  const sid = readCookie(req, SESSION_COOKIE);
  if (sid !== undefined) state.sessions.delete(sid);
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' });
}
