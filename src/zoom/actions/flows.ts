import type { Assistant } from '../api';
import { isZoomApiError } from '../errors';
import { instantIn } from '../ends';
import { putBack, refusalOf, verifiedAgainst } from '../removals';
import { GrantEndedError } from '../token-manager';
import type {
  ActionContext,
  ActionInput,
  ActionOutcome,
  FormFields,
  InputProblem,
  Person,
} from './action';

/** How the page's list differs from Zoom's now; null when it is the same. */
export function listChange(
  shown: readonly string[] | null,
  listed: readonly Person[],
): Extract<ActionOutcome, { kind: 'list_changed' }> | null {
  const seen = new Set(shown ?? []);
  const now = new Set(listed.map((p) => p.id));
  const added = listed.filter((p) => !seen.has(p.id));
  const goneCount = [...seen].filter((id) => !now.has(id)).length;
  return added.length === 0 && goneCount === 0 ? null : { kind: 'list_changed', added, goneCount };
}

/** The outcome of a removal made by an earlier submit (a double click, another tab). */
function removedBefore(removal: { id: string; assistants: readonly Assistant[] }): ActionOutcome {
  return { kind: 'removed', people: removal.assistants, undo: removal.id };
}

/** Nothing is known to have happened at Zoom: the recorded intent can go. */
function zoomDidNothing(err: unknown): boolean {
  return isZoomApiError(err) && err.kind !== 'unavailable';
}

/**
 * Removes whom the page showed (one person, or everyone), only if Zoom's list, read just now,
 * still holds them; recorded before Zoom is asked, settled after.
 */
export function removeAssistants(
  ctx: ActionContext,
  input: ActionInput,
  scope: 'one' | 'all',
): Promise<ActionOutcome> {
  return ctx.withZoom(async (zoom) => {
    const listed = await zoom.listAssistants();
    let targets: Assistant[];
    if (scope === 'one') {
      targets = listed.filter((a) => a.id === input.id);
      if (targets.length === 0) {
        const earlier = await ctx.removals.recentOf([input.id ?? '']);
        return earlier
          ? removedBefore(earlier)
          : { kind: 'nothing_there', email: input.shownEmail };
      }
    } else {
      const change = listChange(input.shown, listed);
      if (change) {
        const earlier = listed.length === 0 ? await ctx.removals.recentOf(input.shown ?? []) : null;
        return earlier ? removedBefore(earlier) : change;
      }
      if (listed.length === 0) return { kind: 'nothing_there', email: null };
      targets = listed;
    }
    const removal = await ctx.removals.begin(targets);
    try {
      if (scope === 'one') await zoom.deleteAssistant(input.id ?? '');
      else await zoom.deleteAllAssistants();
    } catch (err) {
      if (zoomDidNothing(err)) await ctx.removals.drop(removal);
      throw err;
    }
    await ctx.removals.settle(removal);
    // Removed before their end: the end goes (an Undo puts them back without one).
    await ctx.ends
      .drop(
        ctx.grant.userId,
        targets.map((t) => t.id),
      )
      .catch((err: unknown) => {
        ctx.logger.warn({ err: (err as Error).message }, 'ends of removed assistants kept');
      });
    return { kind: 'removed', people: targets, undo: removal.id };
  });
}

/**
 * Steps down for whom the page showed, only if Zoom still lists them; recorded before Zoom is
 * asked. Not undoable.
 */
export function stepDown(
  ctx: ActionContext,
  input: ActionInput,
  scope: 'one' | 'all',
): Promise<ActionOutcome> {
  return ctx.withZoom(async (zoom) => {
    const listed = await zoom.listSchedulers();
    let targets = listed;
    if (scope === 'one') {
      targets = listed.filter((s) => s.id === input.id);
      if (targets.length === 0) return { kind: 'nothing_there', email: input.shownEmail };
    } else {
      const change = listChange(input.shown, listed);
      if (change) return change;
      if (listed.length === 0) return { kind: 'nothing_there', email: null };
    }
    const record = await ctx.changes.begin('scheduler', 'removed', targets);
    try {
      if (scope === 'one') await zoom.deleteScheduler(input.id ?? '');
      else await zoom.deleteAllSchedulers();
    } catch (err) {
      if (zoomDidNothing(err)) await ctx.changes.drop(record);
      throw err;
    }
    await ctx.changes.settle(record);
    return scope === 'one'
      ? { kind: 'stepped_down', email: input.shownEmail, count: 1 }
      : { kind: 'stepped_down', email: null, count: listed.length };
  });
}

/**
 * Puts back the people of one removal, then reads Zoom's list again: only those it really holds
 * count as back; the others keep their Undo in a new entry.
 */
export async function undoRemoval(ctx: ActionContext, input: ActionInput): Promise<ActionOutcome> {
  const { history, grant } = ctx;
  const claim = await history.claim(grant.userId, input.id ?? '', ctx.now());
  if (claim.kind === 'missing' || claim.kind === 'running') {
    return { kind: 'undo_unavailable', why: claim.kind };
  }
  if (claim.kind === 'done') {
    const undo = claim.removal.undo;
    return {
      kind: 'undo_unavailable',
      why: 'done',
      ...(undo.state === 'done' && { doneAt: undo.at }),
    };
  }
  const removal = claim.removal;
  let settled = false;
  try {
    const { result, listed } = await ctx.withZoom(async (zoom) => {
      const r = await putBack(removal.assistants, (batch) => zoom.addAssistants(batch));
      if (r.failure) return { result: r, listed: null };
      return { result: r, listed: new Set((await zoom.listAssistants()).map((a) => a.id)) };
    });
    if (result.failure || !listed) {
      await history.settle(grant.userId, removal, { state: 'available' });
      settled = true;
      throw result.failure ?? new Error('undo failed');
    }
    const outcomes = verifiedAgainst(result.outcomes, removal.assistants, listed);
    const notBack = removal.assistants.filter((a) => !listed.has(a.id));
    const kept = notBack.length > 0 ? await ctx.removals.begin(notBack, removal.at) : null;
    if (kept) await ctx.removals.settle(kept);
    await history.settle(grant.userId, removal, { state: 'done', at: ctx.now(), outcomes });
    settled = true;
    return { kind: 'put_back', outcomes, kept: kept?.id ?? null };
  } finally {
    // Whatever went wrong (Zoom, storage, a refused grant), the entry stays available.
    if (!settled) {
      await history.settle(grant.userId, removal, { state: 'available' }).catch(() => undefined);
    }
  }
}

function refusesSelf(err: Error): boolean {
  return isZoomApiError(err) && err.code === 200 && refusalOf(err.zoomMessage ?? '') === 'is_you';
}

/** An address Zoom could take: one @, a dotted domain, no spaces or brackets; at most 254. */
const EMAIL =
  /^[^\s@<>()[\],;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function validEmail(raw: string | undefined): string | null {
  const email = raw?.trim() ?? '';
  return email.length <= 254 && EMAIL.test(email) ? email : null;
}

/** The end a form asks for: none (both fields empty), a moment ahead, or why not. */
export function endOf(
  fields: FormFields,
  timeZone: string,
  now: number,
): { readonly at: number | null } | { readonly problem: InputProblem } {
  const date = fields.endDate?.trim() ?? '';
  const time = fields.endTime?.trim() ?? '';
  if (date === '' && time === '') return { at: null };
  if (date === '' || time === '') return { problem: 'end_incomplete' };
  const at = instantIn(date, time, timeZone);
  if (at === null) return { problem: 'end_invalid' };
  return at <= now ? { problem: 'end_past' } : { at };
}

/**
 * Makes someone an assistant, then reads Zoom's list again: only a person it holds counts as
 * added (Zoom has answered 201 and added nobody). Refusals are read as an undo reads them.
 */
export async function addAssistant(ctx: ActionContext, input: ActionInput): Promise<ActionOutcome> {
  const fields = input.fields ?? {};
  const timeZone = await ctx.timeZone();
  const email = validEmail(fields.email);
  if (!email) return { kind: 'invalid_input', problem: 'email', timeZone };
  const end = endOf(fields, timeZone, ctx.now());
  if ('problem' in end) return { kind: 'invalid_input', problem: end.problem, timeZone };
  const canManage = fields.privateEvents === true;
  // By email: the id is not known yet, and a refusal names the email.
  const person = { id: email, email, canManagePrivateEvents: canManage };
  const userId = ctx.grant.userId;
  let asked = false;
  // Recorded before Zoom is asked (by email: Zoom gives the id only once it has added them).
  const record = await ctx.changes.begin('assistant', 'added', [{ id: '', email }]);
  const outcome = await ctx
    .withZoom(async (zoom): Promise<ActionOutcome> => {
      // Run again after a refused token: "already" may then be this very add's doing.
      const again = asked;
      asked = true;
      const added = await putBack([person], () => zoom.addAssistantByEmail(email, canManage));
      // Zoom's "to yourself" names nobody, so putBack cannot tell it is about this person.
      if (added.failure && refusesSelf(added.failure)) {
        return { kind: 'not_added', email, why: 'is_you' };
      }
      if (added.failure) throw added.failure;
      const said = added.outcomes[0];
      if (said?.result === 'refused') return { kind: 'not_added', email, why: said.reason };
      if (said?.result === 'already' && !again) return { kind: 'not_added', email, why: 'already' };
      const wanted = email.toLowerCase();
      const listed = (await zoom.listAssistants()).find((a) => a.email.toLowerCase() === wanted);
      if (!listed) return { kind: 'not_added', email, why: 'not_listed' };
      if (end.at !== null) {
        const kept = await ctx.ends.set(userId, {
          assistantId: listed.id,
          email: listed.email,
          at: end.at,
        });
        if (!kept) throw new GrantEndedError(userId);
      }
      await ctx.changes.settle({ ...record, people: [{ id: listed.id, email: listed.email }] });
      return { kind: 'added', email: listed.email, endsAt: end.at, timeZone };
    })
    .catch(async (err: unknown) => {
      if (zoomDidNothing(err)) await ctx.changes.drop(record);
      throw err;
    });
  if (outcome.kind !== 'added') await ctx.changes.drop(record);
  return outcome;
}

/** Sets, changes or cancels the end of an assistant the page showed. */
export async function setEnd(ctx: ActionContext, input: ActionInput): Promise<ActionOutcome> {
  const fields = input.fields ?? {};
  const userId = ctx.grant.userId;
  const id = input.id ?? '';
  if (fields.cancelEnd) {
    const known = (await ctx.ends.list(userId)).find((e) => e.assistantId === id);
    await ctx.ends.drop(userId, [id]);
    return { kind: 'end_cancelled', email: known?.email ?? input.shownEmail ?? 'that assistant' };
  }
  const timeZone = await ctx.timeZone();
  const end = endOf(fields, timeZone, ctx.now());
  if ('problem' in end) return { kind: 'invalid_input', problem: end.problem, timeZone };
  if (end.at === null) return { kind: 'invalid_input', problem: 'end_incomplete', timeZone };
  const at = end.at;
  return ctx.withZoom(async (zoom): Promise<ActionOutcome> => {
    const who = (await zoom.listAssistants()).find((a) => a.id === id);
    if (!who) {
      await ctx.ends.drop(userId, [id]);
      return { kind: 'nothing_there', email: input.shownEmail };
    }
    if (!(await ctx.ends.set(userId, { assistantId: id, email: who.email, at }))) {
      throw new GrantEndedError(userId);
    }
    return { kind: 'end_set', email: who.email, endsAt: at, timeZone };
  });
}
