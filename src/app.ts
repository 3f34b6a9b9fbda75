import path from 'node:path';
import express, { type Express } from 'express';
import { Eta } from 'eta';
import type { AppParts } from './compose';
import { actionRoutes } from './http/actions.routes';
import { authRoutes } from './http/auth.routes';
import { csrfGuard } from './http/csrf';
import { dashboardRoutes } from './http/dashboard.routes';
import { errorPages, notFound } from './http/errors';
import { healthRoutes } from './http/health.routes';
import { rateLimits } from './http/rate-limits';
import { securityHeaders } from './http/security-headers';
import { webhookRoutes } from './http/webhook.routes';
import { publicPagesRoutes } from './http/public-pages.routes';
import { httpsOnly } from './http/https-redirect';
import { requestId } from './http/request-id';
import { idleTimeout, sessionMiddleware } from './http/session';

export interface AppOptions {
  /** Where views/ and public/ are; the repo root (server and tests run from it). */
  readonly rootDir?: string;
}

/** Assembles the express app from its parts. No listen: tests and the server both use it. */
export function createApp(parts: AppParts, options: AppOptions = {}): Express {
  const { config, logger, useCases, sessionIndex } = parts;
  const root = options.rootDir ?? process.cwd();
  const app = express();

  app.disable('x-powered-by');
  // Pages are per user and no-store: an ETag would be hashed on every answer and never used.
  app.set('etag', false);
  // The client's address (rate limits) and scheme (https redirect) come from X-Forwarded-*
  // only through as many proxies as TRUST_PROXY names: otherwise any client could choose them.
  app.set('trust proxy', config.trustProxyHops > 0 ? config.trustProxyHops : false);
  app.set('env', config.isProduction ? 'production' : 'development');

  const eta = new Eta({ views: path.join(root, 'views'), cache: true, autoEscape: true });
  app.engine('eta', (file, data, done) => {
    try {
      done(null, eta.render(path.basename(file, '.eta'), data));
    } catch (err) {
      done(err);
    }
  });
  app.set('view engine', 'eta');
  app.set('views', path.join(root, 'views'));

  app.use(requestId(logger));
  // First: every answer carries them, the https redirect's too.
  app.use(securityHeaders(config));
  app.use(httpsOnly(config.isProduction, new URL(config.zoom.redirectUrl).host));

  app.use(publicPagesRoutes(config));
  app.use(healthRoutes(parts.ping));
  const limits = rateLimits(config.rateLimits, parts.counters, config.session.secret);
  // Before sessions: Zoom's notifications carry no cookie and must not create a session.
  app.use(webhookRoutes(config, logger, useCases.deauthorize, limits.badWebhook));
  app.use(
    '/static',
    express.static(path.join(root, 'public'), {
      index: false,
      cacheControl: false,
      // The same for everyone: cached, unlike every other answer (no-store by default).
      setHeaders: (res) => res.setHeader('Cache-Control', 'public, max-age=3600'),
    }),
  );

  app.use(
    sessionMiddleware(
      parts.sessionRecords,
      {
        secret: config.session.secret,
        secureCookies: config.isProduction,
        absoluteLifetimeMs: config.session.absoluteLifetimeMs,
        idleTimeoutMs: config.session.idleTimeoutMs,
      },
      parts.isCurrentGrant,
      parts.sessionSealer,
    ),
  );
  app.use(
    idleTimeout(config.session.idleTimeoutMs, (userId, sid) =>
      sessionIndex.unregister(userId, sid),
    ),
  );

  const csrf = csrfGuard();
  const unregister = sessionIndex.unregister;
  app.use(authRoutes(parts, useCases.signIn, csrf, limits.install, limits.callback));
  app.use(dashboardRoutes(useCases, unregister, csrf));
  app.use(actionRoutes(useCases.act, unregister, csrf, limits.actions, useCases.profileOf));

  app.use(notFound);
  app.use(errorPages(logger, parts.isStorageDown));
  return app;
}
