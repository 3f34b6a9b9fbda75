import type { Logger } from '../../log';
import type { Assistant, Scheduler } from '../api';
import type { ZoomFailure } from '../failure';
import type { GrantRef } from '../grant';
import type { Change, Side } from '../ledger';
import type { AssistantEnds } from '../ends';
import type { PutBackOutcome, RefusalReason, Removal, RemovalHistory } from '../removals';

export type ActionName =
  | 'remove-assistant'
  | 'remove-all-assistants'
  | 'undo-removal'
  | 'step-down'
  | 'step-down-all'
  | 'disconnect'
  | 'add-assistant'
  | 'set-end';

/** What a form posted: the id in its path and what the page showed beside it. */
export interface ActionInput {
  readonly id?: string;
  /** The ids of the list the page showed (the forms that act on everyone). */
  readonly shown: readonly string[] | null;
  /** The form's one-time id: a second submit of it gets the first one's outcome. */
  readonly intent: string | null;
  readonly confirmed: boolean;
  /** For words only: never sent to Zoom. */
  readonly shownEmail: string | null;
  readonly shownCount: number | null;
  /** What the add and end forms typed (checked by the action itself, never trusted). */
  readonly fields?: FormFields;
}

/** The add and end forms' fields, as posted. */
export interface FormFields {
  readonly email?: string;
  readonly privateEvents?: boolean;
  /** `YYYY-MM-DD` and `HH:MM` in the user's Zoom time zone; both empty: no end. */
  readonly endDate?: string;
  readonly endTime?: string;
  /** The end form's "cancel the end" button. */
  readonly cancelEnd?: boolean;
}

/** Why an add or end form was refused before Zoom was asked. */
export type InputProblem = 'email' | 'end_incomplete' | 'end_invalid' | 'end_past';

/** Everything an action can end in; the edge turns each into words and a page. */
export type ActionOutcome =
  | {
      readonly kind: 'removed';
      readonly people: readonly Assistant[];
      /** The history entry that undoes it. */
      readonly undo: string;
    }
  /** Zoom's list is not what the page showed: nothing was done; the page shows it anew. */
  | {
      readonly kind: 'list_changed';
      readonly added: readonly Person[];
      /** How many of those shown Zoom no longer lists. */
      readonly goneCount: number;
    }
  /** The same form is being submitted in another request right now. */
  | { readonly kind: 'still_running' }
  /** Zoom's list no longer holds whom the page showed: nothing to do. */
  | { readonly kind: 'nothing_there'; readonly email: string | null }
  | { readonly kind: 'stepped_down'; readonly email: string | null; readonly count: number | null }
  | {
      readonly kind: 'put_back';
      readonly outcomes: readonly PutBackOutcome[];
      /** The entry that keeps the Undo of those Zoom did not put back. */
      readonly kept: string | null;
    }
  | {
      readonly kind: 'undo_unavailable';
      readonly why: 'missing' | 'running' | 'done';
      readonly doneAt?: number;
    }
  | { readonly kind: 'not_confirmed' }
  | { readonly kind: 'not_a_target' }
  | { readonly kind: 'needs_permission' }
  | { readonly kind: 'grant_ended'; readonly reconnect: boolean }
  | { readonly kind: 'zoom_refused'; readonly failure: ZoomFailure }
  | { readonly kind: 'disconnected'; readonly revokedAtZoom: boolean }
  /** Zoom's list, read again, holds them: they are an assistant (until `endsAt`, if set). */
  | {
      readonly kind: 'added';
      readonly email: string;
      readonly endsAt: number | null;
      /** The user's Zoom time zone, for the end in words. */
      readonly timeZone: string;
    }
  /** Zoom refused to add them, or said it did while its list does not hold them. */
  | {
      readonly kind: 'not_added';
      readonly email: string;
      readonly why: RefusalReason | 'already' | 'not_listed';
    }
  /** The form's fields were refused before Zoom was asked: nothing changed. */
  | { readonly kind: 'invalid_input'; readonly problem: InputProblem; readonly timeZone: string }
  | {
      readonly kind: 'end_set';
      readonly email: string;
      readonly endsAt: number;
      readonly timeZone: string;
    }
  | { readonly kind: 'end_cancelled'; readonly email: string };

export interface Person {
  readonly id: string;
  readonly email: string;
}

/** The signed-in user's Zoom calls, with a live token already in them. */
export interface UserZoom {
  listAssistants(): Promise<Assistant[]>;
  deleteAssistant(id: string): Promise<void>;
  deleteAllAssistants(): Promise<void>;
  addAssistants(people: readonly Assistant[]): Promise<void>;
  addAssistantByEmail(email: string, canManagePrivateEvents: boolean): Promise<void>;
  listSchedulers(): Promise<Scheduler[]>;
  deleteScheduler(id: string): Promise<void>;
  deleteAllSchedulers(): Promise<void>;
}

export interface ActionContext {
  readonly grant: GrantRef;
  /** Runs Zoom calls with the grant's token; a refused token is refreshed once, then retried. */
  withZoom<T>(calls: (zoom: UserZoom) => Promise<T>): Promise<T>;
  readonly history: RemovalHistory;
  /** The assistants' ends. */
  readonly ends: AssistantEnds;
  /** The user's Zoom time zone (from the sealed grant's profile), or UTC. */
  timeZone(): Promise<string>;
  /** A removal recorded before Zoom is asked, then settled or dropped by what Zoom answered. */
  readonly removals: {
    /** `at`: when the removal happened, if not now (the part of one an undo did not put back). */
    begin(people: readonly Assistant[], at?: number): Promise<Removal>;
    settle(removal: Removal): Promise<void>;
    drop(removal: Removal): Promise<void>;
    /** A removal of all these people made here in the last minutes, not undone. */
    recentOf(ids: readonly string[]): Promise<Removal | null>;
  };
  /** Another change made here, recorded before Zoom is asked, then settled or dropped. */
  readonly changes: {
    begin(side: Side, change: Change['change'], people: readonly Person[]): Promise<Change>;
    settle(change: Change): Promise<void>;
    drop(change: Change): Promise<void>;
  };
  /** Revokes the grant at Zoom, then erases everything kept for the user. */
  disconnect(): Promise<{ readonly revokedAtZoom: boolean }>;
  readonly logger: Logger;
  readonly now: () => number;
}

/** One user action, whole: its Zoom calls, what it acts on, its confirmation, its record. */
export interface ActionDescriptor {
  readonly name: ActionName;
  /** Its public route (a POST from the dashboard). */
  readonly route: string;
  /** What the id in the path must name before anything runs. */
  readonly target: 'person' | 'removal' | 'none';
  /** The form must carry a ticked confirmation (the page asks first). */
  readonly confirm: boolean;
  /** Zoom's granular scopes for its calls; a grant holding none of them is told before the click. */
  readonly scopes: readonly string[];
  /** How it is kept: a removal with its Undo, the undo of one, another change, or not at all. */
  readonly records: 'removal' | 'undo' | 'change' | 'nothing';
  run(ctx: ActionContext, input: ActionInput): Promise<ActionOutcome>;
}

export type { Removal };

/** A form submitted again (a double click, a retry, Back and submit): answered, not redone. */
export type Replay =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'done'; readonly outcome: ActionOutcome }
  | { readonly kind: 'running' };

/** A submit's outcome is kept this long: longer than any retry or double click. */
export const REPLAY_TTL_MS = 10 * 60_000;

/** The outcomes of recent submits, by the form's one-time id; sealed, under the user. */
export interface ActionReplays {
  claim(userId: string, intent: string, now: number): Promise<Replay>;
  keep(userId: string, intent: string, outcome: ActionOutcome): Promise<void>;
  /** Frees the claim of a submit that ended in an error (it may be tried again). */
  release(userId: string, intent: string): Promise<void>;
}
