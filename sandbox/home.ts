import express, { type Request, type Response, type Router } from 'express';
import type { SandboxContext } from './context';
import { sendHtml } from './http-util';
import { assistantsOf, schedulersOf } from './members';
import { deauthorize } from './remove-app';
import { signOut, signedInUser } from './session';
import { homePage } from './views';

function redirectHome(res: Response): void {
  res.status(303);
  res.setHeader('Location', '/');
  res.end();
}

function getHome(ctx: SandboxContext, req: Request, res: Response): void {
  const { state } = ctx;
  const user = signedInUser(state, req);
  const grant = user ? state.activeGrant(user.key) : undefined;
  sendHtml(
    res,
    200,
    homePage({
      signedIn: user,
      users: [...state.users.values()].map((u) => ({
        user: u,
        assistants: assistantsOf(state, u.profile.id).length,
        schedulers: schedulersOf(state, u.profile.id).length,
      })),
      grants: grant ? [grant] : [],
      appName: state.settings.appName,
    }),
  );
}

/** The Zoom web UI's "Remove app": revoke, then notify the app, then back to the list. */
async function removeApp(ctx: SandboxContext, req: Request, res: Response): Promise<void> {
  const { state } = ctx;
  state.stats.remove_app += 1;
  const user = signedInUser(state, req);
  if (user && state.activeGrant(user.key)) await deauthorize(ctx, user);
  redirectHome(res);
}

export function homeRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  router.get('/', (req, res) => getHome(ctx, req, res));
  router.post('/apps/remove', form, (req, res) => removeApp(ctx, req, res));
  router.post('/signout', form, (req, res) => {
    signOut(ctx.state, req, res);
    redirectHome(res);
  });
  return router;
}
