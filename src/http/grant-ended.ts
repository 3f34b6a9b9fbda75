import type { Request, Response } from 'express';
import { renderLanding, renderReconnect } from './pages';
import { destroySession } from './session';

export type UnregisterSession = (userId: string, sessionId: string) => Promise<void>;

/**
 * The session's grant is over (it ended, or Zoom refused it and everything kept for the user is
 * erased): the session goes too, and the person lands where they can sign in again.
 */
export async function signOutEndedGrant(
  req: Request,
  res: Response,
  unregister: UnregisterSession,
  reconnect: boolean,
): Promise<void> {
  const userId = req.session.user?.id;
  const sessionId = req.sessionID;
  await destroySession(req);
  if (userId) await unregister(userId, sessionId);
  const notice = reconnect ? 'reconnect' : 'access-ended';
  if (req.method !== 'GET') return res.redirect(303, `/?notice=${notice}`);
  if (reconnect) renderReconnect(res);
  else renderLanding(res, { notice });
}
