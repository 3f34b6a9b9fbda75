import { Router, type Request, type RequestHandler } from 'express';
import type { UseCases } from '../compose';
import type { ActionInput } from '../zoom/actions/action';
import { ACTIONS } from '../zoom/actions/catalog';
import { isZoomUserId, shownEmail } from '../zoom/ids';
import { INPUT_PROBLEMS, PAGES, wordsOf } from './copy';
import { zoneName } from './when';
import type { CsrfGuard } from './csrf';
import { formBody, formField } from './forms';
import { signOutEndedGrant, type UnregisterSession } from './grant-ended';
import { flashOf } from './outcomes';
import {
  dashboardAt,
  goodbyeUrl,
  newIntent,
  renderConfirm,
  renderMessage,
  sectionOf,
} from './pages';
import { destroySession, grantOf, SESSION_COOKIE } from './session';

/** Zoom's lists hold at most this many people. */
const MAX_SHOWN = 30;

/** Every user action's POST route: form in, use-case, outcome out as a 303 or a page. */
export function actionRoutes(
  act: UseCases['act'],
  unregister: UnregisterSession,
  csrf: CsrfGuard,
  actionLimit: RequestHandler,
  profileOf: UseCases['profileOf'],
): Router {
  const router = Router();
  for (const action of ACTIONS) {
    const confirmPage = wordsOf(action.name).confirmPage;
    if (confirmPage) {
      // Asks first, without script: the dashboard links here; the page's form posts confirmed.
      router.get(action.route, (req, res) => {
        if (!req.session.user) return res.redirect(303, '/?notice=signed-out');
        const id: unknown = req.params.id;
        if (!isZoomUserId(id))
          return renderMessage(res, 400, wordsOf(action.name).notATarget ?? PAGES.badRequest);
        const email = shownEmail(req.query.email);
        renderConfirm(res, confirmPage(email), {
          action: req.originalUrl.split('?')[0] ?? '/',
          csrfToken: csrf.tokenFor(req),
          email,
          intent: newIntent(),
        });
      });
    }
    router.post(action.route, formBody, csrf.protect, actionLimit, async (req, res) => {
      const user = req.session.user;
      if (!user) return res.redirect(303, '/?notice=signed-out');
      const outcome = await act(action, grantOf(user), inputOf(req));
      switch (outcome.kind) {
        case 'not_confirmed':
          if (confirmPage && typeof req.params.id === 'string') {
            const email = formField(req, 'email');
            const query = email ? `?email=${encodeURIComponent(email)}` : '';
            return res.redirect(303, `${req.originalUrl}${query}`);
          }
          break;
        case 'not_a_target':
          return renderMessage(res, 400, wordsOf(action.name).notATarget ?? PAGES.badRequest);
        case 'invalid_input': {
          // A page of its own, not a redirect: Back returns to the form with what was typed.
          const zone = zoneName(outcome.timeZone);
          const page =
            outcome.problem === 'email'
              ? INPUT_PROBLEMS.email(formField(req, 'email')?.trim().slice(0, 254) ?? '')
              : INPUT_PROBLEMS[outcome.problem](zone);
          return renderMessage(res, 400, page);
        }
        case 'grant_ended':
          return signOutEndedGrant(req, res, unregister, outcome.reconnect);
        case 'disconnected':
          await destroySession(req);
          res.clearCookie(SESSION_COOKIE, { path: '/' });
          // A page of its own to land on: reloading it, or Back to it, posts nothing again.
          return res.redirect(303, goodbyeUrl(outcome.revokedAtZoom, formField(req, 'undos')));
        default:
      }
      // Only "already undone at …" needs a time zone, which the sealed grant keeps.
      const timeZone =
        outcome.kind === 'undo_unavailable' && outcome.doneAt !== undefined
          ? ((await profileOf(grantOf(user)))?.timezone ?? null)
          : null;
      const section = sectionOf(action.name);
      req.session.flash = { ...flashOf(action, outcome, Date.now(), timeZone), section };
      return res.redirect(303, dashboardAt(section));
    });
  }
  return router;
}

function inputOf(req: Request): ActionInput {
  const count = Number(formField(req, 'count'));
  const id: unknown = req.params.id;
  const shown = formField(req, 'shown');
  const shownIds = shown === undefined ? null : shown.split(',').filter(isZoomUserId);
  return {
    ...(typeof id === 'string' && { id }),
    shown: shownIds && shownIds.length <= MAX_SHOWN ? shownIds : null,
    intent: formField(req, 'intent') ?? null,
    confirmed: formField(req, 'confirm') === 'yes',
    shownEmail: shownEmail(formField(req, 'email')),
    shownCount: Number.isInteger(count) && count > 0 && count <= MAX_SHOWN ? count : null,
    fields: {
      ...optional('email', formField(req, 'email')),
      privateEvents: formField(req, 'private_events') === 'yes',
      ...optional('endDate', formField(req, 'date')),
      ...optional('endTime', formField(req, 'time')),
      cancelEnd: formField(req, 'cancel') === 'yes',
    },
  };
}

function optional<K extends string>(
  name: K,
  value: string | undefined,
): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Partial<Record<K, string>>);
}
