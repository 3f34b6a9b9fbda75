import type { ActionDescriptor, ActionOutcome } from '../zoom/actions/action';
import type { PutBackOutcome } from '../zoom/removals';
import { wordsOf, FAILURE, FLASH, NOT_ADDED } from './copy';
import { failureMessage } from './failures';
import type { Flash } from './session';
import { describeTime, endWords } from './when';

/** An outcome shown on the dashboard, as its one-time message. */
export type FlashOutcome = Exclude<
  ActionOutcome,
  | { kind: 'grant_ended' }
  | { kind: 'not_a_target' }
  | { kind: 'disconnected' }
  | { kind: 'invalid_input' }
>;

/** The one-time message an action's outcome leaves on the dashboard. */
export function flashOf(
  action: ActionDescriptor,
  outcome: FlashOutcome,
  now: number,
  timeZone: string | null,
): Flash {
  const words = wordsOf(action.name);
  switch (outcome.kind) {
    case 'removed': {
      return {
        kind: 'success',
        text: FLASH.removed(outcome.people.map((p) => p.email)),
        undo: outcome.undo,
      };
    }
    case 'nothing_there':
      return { kind: 'info', text: words.nothingThere?.(outcome.email) ?? FLASH.stillRunning };
    case 'list_changed':
      return {
        kind: 'info',
        text:
          words.listChanged?.(
            outcome.added.map((p) => p.email),
            outcome.goneCount,
          ) ?? FLASH.stillRunning,
      };
    case 'still_running':
      return { kind: 'info', text: FLASH.stillRunning };
    case 'stepped_down':
      return {
        kind: 'success',
        text:
          action.target === 'person'
            ? FLASH.steppedDown(outcome.email ?? 'that person')
            : FLASH.steppedDownAll(outcome.count),
      };
    case 'put_back':
      return putBack(outcome.outcomes, outcome.kept);
    case 'undo_unavailable':
      if (outcome.why === 'done' && outcome.doneAt !== undefined) {
        return {
          kind: 'info',
          text: FLASH.undoAlreadyDone(describeTime(outcome.doneAt, now, timeZone)),
        };
      }
      return {
        kind: 'info',
        text: outcome.why === 'running' ? FLASH.undoRunning : FLASH.undoMissing,
      };
    case 'not_confirmed':
      return { kind: 'error', text: words.notConfirmed ?? FAILURE.unexpected(null) };
    case 'needs_permission':
      return {
        kind: 'error',
        text: words.needsPermission ?? FAILURE.missingScope,
        reconnect: true,
      };
    case 'added': {
      const until =
        outcome.endsAt === null ? null : endWords(outcome.endsAt, now, outcome.timeZone);
      return { kind: 'success', text: FLASH.added(outcome.email, until && `until ${until}`) };
    }
    case 'not_added':
      return { kind: 'error', text: NOT_ADDED[outcome.why](outcome.email) };
    case 'end_set':
      return {
        kind: 'success',
        text: FLASH.endSet(
          outcome.email,
          `until ${endWords(outcome.endsAt, now, outcome.timeZone)}`,
        ),
      };
    case 'end_cancelled':
      return { kind: 'success', text: FLASH.endCancelled(outcome.email) };
    case 'zoom_refused': {
      const failure = failureMessage(outcome.failure, action.name);
      if (words.refused)
        return { kind: 'error', text: words.refused(failure.text, outcome.failure) };
      return { kind: 'error', text: failure.text, ...(failure.reconnect && { reconnect: true }) };
    }
  }
}

function putBack(outcomes: readonly PutBackOutcome[], kept: string | null): Flash {
  const back = outcomes
    .filter((o) => o.result === 'back' || o.result === 'already')
    .map((o) => o.email);
  const details = outcomes.flatMap((o) => {
    if (o.result === 'refused') return [FLASH.notPutBack(o.email, o.reason)];
    if (o.result === 'not_back') return [FLASH.notBack(o.email)];
    return [];
  });
  return {
    kind: details.length > 0 && back.length === 0 ? 'error' : 'success',
    text: FLASH.putBack(back),
    ...(details.length > 0 && { details }),
    ...(kept !== null && { undo: kept }),
  };
}
