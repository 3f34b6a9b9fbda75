import { Router, type RequestHandler } from 'express';
import type { Services } from '../compose';
import { ASSISTANT_ID_PATTERN } from '../zoom/api';
import { FLASH, PAGES } from './copy';
import type { CsrfGuard } from './csrf';
import { formBody, formField } from './forms';
import { renderMessage } from './pages';
import { grantOf } from './session';
import type { ZoomActions } from './zoom-action';
import { parseEmail } from './assistants.routes';

/** Stepping down as someone's assistant (one, or all), through `me`. */
export function schedulersRoutes(
  services: Services,
  csrf: CsrfGuard,
  actionLimit: RequestHandler,
  actions: ZoomActions,
): Router {
  const { tokens, zoomApi, logger } = services;
  const router = Router();
  const guard = [formBody, csrf.protect, actionLimit];

  router.post('/schedulers/:id/step-down', ...guard, async (req, res) => {
    const user = actions.signedInUser(req, res);
    if (!user) return;
    const id = req.params.id;
    if (typeof id !== 'string' || !ASSISTANT_ID_PATTERN.test(id)) {
      return renderMessage(res, 400, PAGES.notAScheduler);
    }
    const email = parseEmail(formField(req, 'email')) ?? 'that person';
    await actions.act(req, res, user, 'step_down', async () => {
      await tokens.withAccessToken(grantOf(user), (t) => zoomApi.deleteScheduler(t, id));
      logger.info({ userId: user.id }, 'stepped down as an assistant');
      return { kind: 'success', text: FLASH.steppedDown(email) };
    });
  });

  router.post('/schedulers/step-down', ...guard, async (req, res) => {
    const user = actions.signedInUser(req, res);
    if (!user) return;
    // The checkbox is `required` in the page; the server insists too.
    if (formField(req, 'confirm') !== 'yes') {
      req.session.flash = { kind: 'error', text: FLASH.confirmStepDownAll };
      return res.redirect(303, '/');
    }
    const shown = Number(formField(req, 'count'));
    await actions.act(req, res, user, 'step_down', async () => {
      await tokens.withAccessToken(grantOf(user), (t) => zoomApi.deleteAllSchedulers(t));
      logger.info({ userId: user.id }, 'stepped down as everyone’s assistant');
      const n = Number.isInteger(shown) && shown > 0 && shown <= 30 ? shown : null;
      return { kind: 'success', text: FLASH.steppedDownAll(n) };
    });
  });

  return router;
}
