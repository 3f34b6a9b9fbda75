import { Router, type RequestHandler } from 'express';
import type { Services } from '../compose';
import { ASSISTANT_ID_PATTERN, type Assistant } from '../zoom/api';
import { isZoomApiError } from '../zoom/errors';
import { newRemoval, putBack, type PutBackOutcome } from '../zoom/removals';
import { FLASH, PAGES } from './copy';
import type { CsrfGuard } from './csrf';
import { describeZoomFailure } from './failures';
import { formBody, formField } from './forms';
import { renderMessage } from './pages';
import { grantOf, type Flash, type SessionUser } from './session';
import { describeTime } from './when';
import type { ZoomActions } from './zoom-action';

/** Removing assistants (one, or all), and undoing a removal from the history. */
export function assistantsRoutes(
  services: Services,
  csrf: CsrfGuard,
  actionLimit: RequestHandler,
  actions: ZoomActions,
): Router {
  const { tokens, zoomApi, logger, history } = services;
  const router = Router();
  const guard = [formBody, csrf.protect, actionLimit];

  /**
   * Remembers a removal Zoom has done, for its Undo. Storage failing now cannot undo the
   * removal, so the message says it could not be saved instead of failing the page.
   */
  async function remember(user: SessionUser, removed: readonly Assistant[]): Promise<Flash> {
    const removal = newRemoval(removed, Date.now());
    const text =
      removed.length === 1 && removed[0]
        ? FLASH.removedOne(removed[0].email)
        : FLASH.removedAll(removed.length);
    try {
      // False only when the grant ended meanwhile: the session ends with it, so no Undo.
      if (!(await history.add(user.id, removal))) return { kind: 'success', text };
    } catch (err) {
      logger.error({ userId: user.id, err: (err as Error).message }, 'removal not recorded');
      return { kind: 'success', text, details: [FLASH.notRecorded] };
    }
    return { kind: 'success', text, undo: removal.id };
  }

  router.post('/assistants/clear', ...guard, async (req, res) => {
    const user = actions.signedInUser(req, res);
    if (!user) return;
    // The checkbox is `required` in the page; the server insists too (no script, old browsers).
    if (formField(req, 'confirm') !== 'yes') {
      req.session.flash = { kind: 'error', text: FLASH.confirmClear };
      return res.redirect(303, '/');
    }
    await actions.act(req, res, user, 'clear', async () => {
      // Who is removed, read just now: a removal made elsewhere is not "undone" into existence.
      const removed = await tokens.withAccessToken(grantOf(user), async (t) => {
        const present = await zoomApi.listAssistants(t);
        if (present.length > 0) await zoomApi.deleteAllAssistants(t);
        return present;
      });
      if (removed.length === 0) return { kind: 'info', text: FLASH.removedAll(0) };
      logger.info({ userId: user.id, count: removed.length }, 'assistants cleared');
      return remember(user, removed);
    });
  });

  router.post('/assistants/:id/remove', ...guard, async (req, res) => {
    const user = actions.signedInUser(req, res);
    if (!user) return;
    const id = req.params.id;
    if (typeof id !== 'string' || !ASSISTANT_ID_PATTERN.test(id)) {
      return renderMessage(res, 400, PAGES.notAnAssistant);
    }
    await actions.act(req, res, user, 'remove', async () => {
      const removed = await tokens.withAccessToken(grantOf(user), async (t) => {
        const who = (await zoomApi.listAssistants(t)).find((a) => a.id === id);
        if (who) await zoomApi.deleteAssistant(t, id);
        return who;
      });
      // Already gone (elsewhere, or another tab): what the user wanted, said as such.
      if (!removed)
        return { kind: 'info', text: FLASH.alreadyGone(parseEmail(formField(req, 'email'))) };
      logger.info({ userId: user.id }, 'assistant removed');
      return remember(user, [removed]);
    });
  });

  router.post('/history/:id/undo', ...guard, async (req, res) => {
    const user = actions.signedInUser(req, res);
    if (!user) return;
    const id = req.params.id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      req.session.flash = { kind: 'info', text: FLASH.undoMissing };
      return res.redirect(303, '/');
    }
    const now = Date.now();
    const claim = await history.claim(user.id, id, now);
    if (claim.kind !== 'claimed') {
      req.session.flash =
        claim.kind === 'done' && claim.removal.undo.state === 'done'
          ? {
              kind: 'info',
              text: FLASH.undoAlreadyDone(describeTime(claim.removal.undo.at, now, user.timezone)),
            }
          : {
              kind: 'info',
              text: claim.kind === 'running' ? FLASH.undoRunning : FLASH.undoMissing,
            };
      return res.redirect(303, '/');
    }
    const removal = claim.removal;
    let settled = false;
    try {
      await actions.act(req, res, user, 'undo', async () => {
        const result = await tokens.withAccessToken(grantOf(user), (t) =>
          putBack(removal.assistants, (batch) => zoomApi.addAssistants(t, batch)),
        );
        if (result.failure !== undefined) {
          await history.settle(user.id, removal, { state: 'available' });
          settled = true;
          return undoFailed(result.failure);
        }
        await history.settle(user.id, removal, {
          state: 'done',
          at: Date.now(),
          outcomes: result.outcomes,
        });
        settled = true;
        logger.info({ userId: user.id, people: result.outcomes.length }, 'removal undone');
        return undoDone(result.outcomes);
      });
    } finally {
      // Whatever went wrong (Zoom, storage, a refused grant), the entry stays available.
      if (!settled) {
        await history.settle(user.id, removal, { state: 'available' }).catch(() => undefined);
      }
    }
  });

  return router;
}

function undoDone(outcomes: readonly PutBackOutcome[]): Flash {
  const back = outcomes.filter((o) => o.result !== 'refused').map((o) => o.email);
  const details = outcomes.flatMap((o) =>
    o.result === 'refused' ? [FLASH.notPutBack(o.email, o.reason)] : [],
  );
  return {
    kind: details.length > 0 && back.length === 0 ? 'error' : 'success',
    text: FLASH.putBack(back),
    ...(details.length > 0 ? { details } : {}),
  };
}

/** Nobody was put back: why, in words, and the way on. */
function undoFailed(failure: unknown): Flash {
  if (isZoomApiError(failure, 'missing_scope')) {
    return { kind: 'error', text: FLASH.undoNeedsScope, reconnect: true };
  }
  if (
    isZoomApiError(failure) &&
    failure.code === 200 &&
    /paid account/i.test(failure.zoomMessage ?? '')
  ) {
    return { kind: 'error', text: FLASH.undoNeedsPaidAccount };
  }
  const described = describeZoomFailure(failure, 'undo');
  return { kind: 'error', text: FLASH.undoFailed(described?.text ?? 'Zoom refused.') };
}

/** The email the page showed, for the message only. */
export function parseEmail(v: string | undefined): string | null {
  if (v === undefined || v.length > 254 || !/^[^\s@<>]+@[^\s@<>]+$/.test(v)) return null;
  return v;
}
