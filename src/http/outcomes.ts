import type { ActionDescriptor, ActionOutcome } from '../zoom/actions/action';
import type { PutBackOutcome } from '../zoom/removals';
import { wordsOf, FAILURE, FLASH } from './copy';
import { failureMessage } from './failures';
import type { Flash } from './session';
import { describeTime } from './when';

/** An outcome shown on the dashboard, as its one-time message. */
export type FlashOutcome = Exclude<
  ActionOutcome,
  { kind: 'grant_ended' } | { kind: 'not_a_target' } | { kind: 'disconnected' }
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
      const [only] = outcome.people;
      const text =
        outcome.people.length === 1 && only
          ? FLASH.removedOne(only.email)
          : FLASH.removedAll(outcome.people.length);
      return {
        kind: 'success',
        text,
        ...(outcome.undo !== null && { undo: outcome.undo }),
        ...(outcome.recordFailed && { details: [FLASH.notRecorded] }),
      };
    }
    case 'nothing_there':
      return { kind: 'info', text: words.nothingThere?.(outcome.email) ?? FLASH.removedAll(0) };
    case 'stepped_down':
      return {
        kind: 'success',
        text:
          action.target === 'person'
            ? FLASH.steppedDown(outcome.email ?? 'that person')
            : FLASH.steppedDownAll(outcome.count),
      };
    case 'put_back':
      return putBack(outcome.outcomes);
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
    case 'zoom_refused': {
      const failure = failureMessage(outcome.failure, action.name);
      if (words.refused)
        return { kind: 'error', text: words.refused(failure.text, outcome.failure) };
      return { kind: 'error', text: failure.text, ...(failure.reconnect && { reconnect: true }) };
    }
  }
}

function putBack(outcomes: readonly PutBackOutcome[]): Flash {
  const back = outcomes.filter((o) => o.result !== 'refused').map((o) => o.email);
  const details = outcomes.flatMap((o) =>
    o.result === 'refused' ? [FLASH.notPutBack(o.email, o.reason)] : [],
  );
  return {
    kind: details.length > 0 && back.length === 0 ? 'error' : 'success',
    text: FLASH.putBack(back),
    ...(details.length > 0 && { details }),
  };
}
