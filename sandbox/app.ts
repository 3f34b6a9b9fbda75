import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { apiRoutes } from './api-routes';
import { authorizeRoutes } from './authorize';
import type { SandboxContext } from './context';
import { controlRoutes } from './control';
import { homeRoutes } from './home';
import { errorStatus, sendJson } from './http-util';
import { revokeRoutes } from './oauth-revoke';
import { tokenRoutes } from './oauth-token';

/** One express app serves both hosts: OAuth at /oauth/*, REST at /v2/*, control at /_sandbox/*. */
export function createApp(ctx: SandboxContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(homeRoutes(ctx));
  app.use(authorizeRoutes(ctx));
  app.use(tokenRoutes(ctx));
  app.use(revokeRoutes(ctx));
  app.use('/v2', apiRoutes(ctx));
  app.use('/_sandbox', controlRoutes(ctx));
  app.use((_req: Request, res: Response) => sendJson(res, 404, { error: 'not found' }));
  // Body-parser errors and bugs: a short JSON answer, never a stack trace.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = errorStatus(err);
    // A sandbox bug should be visible to whoever runs the tests.
    if (status >= 500) console.error('zoom sandbox: internal error', err);
    if (res.headersSent) return;
    sendJson(res, status, { error: status < 500 ? 'bad request' : 'internal error' });
  });
  return app;
}
