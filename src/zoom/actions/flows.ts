import type { Assistant } from '../api';
import { isZoomApiError } from '../errors';
import { putBack, verifiedAgainst } from '../removals';
import type { ActionContext, ActionInput, ActionOutcome, Person } from './action';

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
