import { Router, type Response } from 'express';
import type { Config } from '../config';
import { footerLinks, publicDocuments, type PublicDocument } from './documents';
import { renderDocument } from './pages';

/** What every page's layout shows beside its own content (the footer, the home page's meta tag). */
export interface SiteLocals {
  readonly links: ReturnType<typeof footerLinks>;
  readonly zoomDomainVerification: string | undefined;
}

/** RFC 9116 recommends an Expires less than a year ahead. */
const SECURITY_TXT_LIFETIME_MS = 180 * 24 * 60 * 60 * 1000;

/**
 * The pages a Marketplace listing links to (privacy, terms, support, help) and security.txt:
 * the same for everyone, so no session is read. Mounted before the other routes, it also gives
 * every page's layout the footer links.
 */
export function publicPagesRoutes(config: Config): Router {
  const router = Router();
  const site: SiteLocals = {
    links: footerLinks(config),
    zoomDomainVerification: config.operator.zoomDomainVerification,
  };
  router.use((_req, res, next) => {
    res.locals.site = site;
    next();
  });

  const docs = publicDocuments(config);
  const page =
    (doc: PublicDocument, elsewhere?: string) =>
    (_req: unknown, res: Response): void => {
      // The operator's own page replaces ours.
      if (elsewhere) return res.redirect(302, elsewhere);
      renderDocument(res, doc);
    };
  router.get('/privacy', page(docs.privacy, config.operator.privacyPolicyUrl));
  router.get('/terms', page(docs.terms, config.operator.termsOfUseUrl));
  router.get('/support', page(docs.support));
  router.get('/help', page(docs.help));

  const email = config.operator.supportEmail;
  if (email) {
    const origin = new URL(config.zoom.redirectUrl).origin;
    router.get('/.well-known/security.txt', (_req, res) => {
      const expires = new Date(Date.now() + SECURITY_TXT_LIFETIME_MS);
      expires.setUTCHours(0, 0, 0, 0);
      res
        .type('text/plain')
        .send(
          [
            `Contact: mailto:${email}`,
            `Expires: ${expires.toISOString()}`,
            'Preferred-Languages: en',
            `Canonical: ${origin}/.well-known/security.txt`,
            `Policy: ${origin}/support`,
            '',
          ].join('\n'),
        );
    });
  }
  return router;
}
