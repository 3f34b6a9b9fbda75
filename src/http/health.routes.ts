import { Router } from 'express';

const READY_TIMEOUT_MS = 1000;

/** `ping` resolves when storage answers. */
export function healthRoutes(ping: () => Promise<unknown>): Router {
  const router = Router();

  // Liveness: no I/O, so a Redis outage never gets the process restarted for nothing.
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').type('text/plain').send('ok');
  });

  // Readiness: can this process serve a page right now?
  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store').type('text/plain');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
        }),
      ]);
      res.status(200).send('ready');
    } catch {
      res.status(503).send('redis unavailable');
    } finally {
      clearTimeout(timer);
    }
  });

  return router;
}
