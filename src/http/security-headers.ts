import helmet from 'helmet';
import type { RequestHandler } from 'express';
import type { Config } from '../config';

/**
 * A strict Content-Security-Policy (no inline script or style anywhere: the pages use one
 * stylesheet and no script), no framing, forms only to ourselves and Zoom's OAuth origin,
 * HSTS in production, and no Referer at all — so an OAuth `code` in our callback URL can
 * never leak to another site. No browser feature may be asked for, and no answer is cached.
 */
export function securityHeaders(config: Config): RequestHandler {
  const zoomOAuthOrigin = new URL(config.zoom.oauthUrl).origin;
  const helmetHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'", zoomOAuthOrigin],
        ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: config.isProduction
      ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: true }
      : false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  });
  return (req, res, next) => {
    res.set('Permissions-Policy', PERMISSIONS_POLICY);
    // Every answer is per visitor or an error: never stored. Static files set their own.
    res.set('Cache-Control', 'no-store');
    helmetHeaders(req, res, next);
  };
}

/** The pages use none of the browser's powerful features: none may be asked for. */
const PERMISSIONS_POLICY = [
  'accelerometer',
  'camera',
  'geolocation',
  'gyroscope',
  'magnetometer',
  'microphone',
  'payment',
  'usb',
]
  .map((feature) => `${feature}=()`)
  .join(', ');
