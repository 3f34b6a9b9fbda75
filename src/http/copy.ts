/**
 * Every sentence a person reads, in one place: page headings and paragraphs, one-time
 * messages, the landing notices, and the words of the templates. A page's <title> is derived
 * from its heading. Tests refer to these entries instead of retyping sentences.
 */

import type { ActionName } from '../zoom/actions/action';
import type { ZoomFailure } from '../zoom/failure';
import type { RefusalReason } from '../zoom/removals';

/** The product's one name: package, README, page header and titles. */
export const APP_NAME = 'Assistant Manager for Zoom';

/** A page's <title>: what just happened (if anything), the page, the app. */
export function titleOf(heading: string, outcome?: string): string {
  return `${outcome ? `${outcome} — ` : ''}${heading} — ${APP_NAME}`;
}

export type Tone = 'info' | 'warning' | 'error';

/** A message page: a heading, a few paragraphs, one way on. */
export interface MessageCopy {
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly action?: { readonly href: string; readonly label: string };
  readonly tone: Tone;
}

const START = { href: '/', label: 'Back to the start' } as const;
const INSTALL_AGAIN = { href: '/install', label: 'Start again' } as const;

export function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`;
}

/** "in about 3 hours", "in 40 minutes": when Zoom's daily limit resets. */
export function hoursFrom(wait: number): string {
  const minutes = Math.max(1, Math.round(wait / 60));
  if (minutes < 90) return `in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}`;
  return `in about ${Math.round(minutes / 60)} hours`;
}

/** "a", "a and b", "a, b and c". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** "1 assistant", "3 assistants". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export const PAGES = {
  cancelled: {
    heading: 'You cancelled',
    paragraphs: [
      'You chose not to let this app see your assistants, so nothing changed and nothing was stored.',
      'You can add the app whenever you like.',
    ],
    action: { href: '/install', label: 'Add to Zoom' },
    tone: 'info',
  },
  linkExpired: {
    heading: 'This sign-in link no longer works',
    paragraphs: [
      'A sign-in link works once, for 10 minutes, in the browser that started it — this one was used already (perhaps you came Back to it), is older, or came from elsewhere.',
      'Nothing was stored. To sign in, add the app to Zoom again.',
    ],
    action: { href: '/install', label: 'Add to Zoom' },
    tone: 'info',
  },
  signInRefused: {
    heading: 'Zoom did not accept the sign-in',
    paragraphs: ['The authorization code was refused or had expired. Nothing was stored.'],
    action: { href: '/install', label: 'Try again' },
    tone: 'error',
  },
  signInUnanswered: {
    heading: 'Zoom did not answer',
    paragraphs: ['Nothing was stored. Try again in a moment.'],
    action: { href: '/install', label: 'Try again' },
    tone: 'error',
  },
  misconfigured: {
    heading: 'The app is misconfigured',
    paragraphs: [
      'Zoom refused this app’s own credentials, so it cannot act for anyone right now. Nothing changed.',
      'Its operator can see why in the app’s log. Try again later.',
    ],
    action: { href: '/', label: 'Try again' },
    tone: 'error',
  },
  reconnect: {
    heading: 'Reconnect to Zoom',
    paragraphs: [
      'Zoom no longer accepts this app’s access to your account — the app may have been removed in Zoom, or its permission expired. We deleted what we kept for you.',
      'Add the app to Zoom again to keep managing your assistants.',
    ],
    action: { href: '/install', label: 'Reconnect to Zoom' },
    tone: 'warning',
  },
  notAnAssistant: {
    heading: 'That is not an assistant',
    paragraphs: ['The address does not name an assistant. Nothing was changed.'],
    action: { href: '/', label: 'Back to your assistants' },
    tone: 'error',
  },
  notAScheduler: {
    heading: 'That is not someone you schedule for',
    paragraphs: ['The address does not name a Zoom user. Nothing was changed.'],
    action: { href: '/', label: 'Back to your assistants' },
    tone: 'error',
  },
  notFound: {
    heading: 'There is nothing here',
    paragraphs: ['The address does not match any page of this app.'],
    action: { href: '/', label: 'Go to the start' },
    tone: 'info',
  },
  formExpired: {
    heading: 'This form has expired',
    paragraphs: ['For your safety nothing was changed. Reload the page and try again.'],
    action: { href: '/', label: 'Reload your assistants' },
    tone: 'warning',
  },
  formExpiredSignedOut: {
    heading: 'This form has expired',
    paragraphs: [
      'You are not signed in any more, so for your safety nothing was changed. Sign in again, then try once more.',
    ],
    action: { href: '/install', label: 'Sign in again' },
    tone: 'warning',
  },
  tooLarge: {
    heading: 'That request was too large',
    paragraphs: ['Nothing was changed.'],
    action: { href: '/', label: 'Go to the start' },
    tone: 'error',
  },
  badRequest: {
    heading: 'That request could not be understood',
    paragraphs: ['Nothing was changed.'],
    action: { href: '/', label: 'Go to the start' },
    tone: 'error',
  },
  storageDown: {
    heading: 'Temporarily unavailable',
    paragraphs: [
      'The app cannot reach its storage right now. Nothing was changed; try again in a minute.',
    ],
    action: { href: '/', label: 'Try again' },
    tone: 'error',
  },
  unexpected: {
    heading: 'Something went wrong',
    paragraphs: ['The app hit an unexpected problem. Nothing more was changed; try again.'],
    action: { href: '/', label: 'Go to the start' },
    tone: 'error',
  },
} as const satisfies Record<string, MessageCopy>;

export type PageName = keyof typeof PAGES;

/** Pages whose words depend on what happened. */
export const PAGE = {
  badCallback: (reason: string): MessageCopy => ({
    heading: 'That sign-in did not work',
    paragraphs: [reason, 'Nothing was stored.'],
    action: INSTALL_AGAIN,
    tone: 'error',
  }),
  tooManyRequests: (wait: number): MessageCopy => ({
    heading: 'Too many requests',
    paragraphs: [`Please wait ${seconds(wait)} and try again. Nothing was changed.`],
    action: START,
    tone: 'warning',
  }),
  /** `undos`: how many removals the dashboard offered to undo when the user disconnected. */
  disconnected: (revokedAtZoom: boolean, undos: number): MessageCopy => ({
    heading: 'The app is disconnected',
    paragraphs: [
      'We deleted everything we kept for you: your encrypted Zoom tokens and your sign-in sessions on every device.',
      undos > 0
        ? `We deleted your history too, with ${count(undos, 'removal')} you could still have undone: everyone ${undos === 1 ? 'it' : 'they'} removed stays removed unless you add them back in Zoom.`
        : 'We deleted your history too.',
      revokedAtZoom
        ? 'Zoom has revoked the app’s access to your account.'
        : 'Zoom did not confirm the revocation, so it may still list the app under Manage → Installed apps in the Zoom App Marketplace; remove it there to be sure.',
      'Your assistants are as you left them. You can add the app again at any time.',
    ],
    action: START,
    tone: revokedAtZoom ? 'info' : 'warning',
  }),
};

/** Why a callback is refused (the paragraph of PAGE.badCallback). */
export const CALLBACK_PROBLEMS = {
  malformed: 'The sign-in link is malformed.',
  zoomError: 'Zoom could not complete the sign-in.',
  noCode: 'The sign-in link has no authorization code.',
} as const;

/** One sentence above the landing page's pitch, after the app signed someone out. */
export const LANDING_NOTICES = {
  'signed-out':
    'You are signed out of this app. You are still signed in to Zoom itself, so Add to Zoom signs you back in at once; sign out of Zoom to switch accounts.',
  reconnect:
    'Zoom no longer accepts this app’s access to your account, so we deleted what we kept for you. Add it to Zoom again to keep managing your assistants.',
  'access-ended':
    'You are signed out: the app’s access to your Zoom account has ended (it was removed in Zoom, disconnected, or added again elsewhere). Add it to Zoom to sign in again.',
} as const;

export type LandingNotice = keyof typeof LANDING_NOTICES;

/** Why Zoom would not put someone back, in words. */
export const REFUSAL_WORDS: Record<RefusalReason, string> = {
  not_in_account: 'they are no longer in your Zoom account',
  no_licence: 'they have no Zoom licence that allows it',
  is_you: 'that is your own account',
  other: 'Zoom refused without a reason we know',
};

const SCHEDULER_GONE = 'Zoom no longer lists that person; the list below is current.';
const STEP_DOWN_NEEDS_SCOPE =
  'Stepping down needs a permission in Zoom that this app did not ask for when you added it. Reconnect to Zoom to grant it.';

/** One-time messages on the dashboard after an action. */
export const FLASH = {
  /** Names everyone removed: "Removed ana@….", "Removed both: ana@… and bo@….". */
  removed: (emails: readonly string[]): string =>
    emails.length === 2 ? `Removed both: ${listOf(emails)}.` : `Removed ${listOf(emails)}.`,
  stillRunning:
    'This is being done in another tab or window right now; reload this page in a moment to see how it ended.',
  /** The accessible name of the message's Undo (the history's says "the removal of …"). */
  undoLabel: (emails: readonly string[]): string =>
    emails.length === 0 ? 'Undo this removal' : `Undo: put back ${listOf(emails)}`,
  putBack: (emails: readonly string[]): string =>
    emails.length === 0 ? 'Nobody was put back.' : `Put back ${listOf(emails)}.`,
  notBack: (email: string): string =>
    `Zoom answered that it put back ${email}, but does not list them; their Undo stays in your history.`,
  notPutBack: (email: string, reason: RefusalReason): string =>
    `${email} could not be put back: ${REFUSAL_WORDS[reason]}.`,
  undoAlreadyDone: (when: string): string =>
    `This removal was already undone ${when}; nothing changed.`,
  undoRunning:
    'This removal is being undone in another tab or window right now; reload in a moment.',
  undoMissing:
    'That removal is not in your history (it is more than 30 days old, or was never made here); nothing changed.',
  added: (email: string, until: string | null): string =>
    until ? `Added ${email} as your assistant ${until}.` : `Added ${email} as your assistant.`,
  endSet: (email: string, until: string): string =>
    `${email} stays your assistant ${until}; then the app removes them.`,
  endCancelled: (email: string): string =>
    `${email} no longer has an end: they stay your assistant until you remove them.`,
  steppedDown: (email: string): string =>
    `You are no longer an assistant of ${email}. Only they can give you the privilege back.`,
  /** `n`: how many Zoom listed (null if unknown). */
  steppedDownAll: (n: number | null): string =>
    n === 1
      ? 'You are no longer anyone’s assistant. The person you scheduled for can give you the privilege back.'
      : `You are no longer the assistant of ${n === null ? 'anyone' : count(n, 'person', 'people')}. Only they can give you the privilege back.`,
};

/** What a call to Zoom that failed says to the person. */
export const FAILURE = {
  zoomDown: 'Zoom did not answer; try again.',
  zoomUnreadable: 'Zoom gave an answer the app could not read; try again.',
  rateLimited: (wait: number): string =>
    `Zoom is limiting requests; try again in ${seconds(wait)}.`,
  dailyLimit: (wait: number): string =>
    `Your Zoom account has used up its daily limit of requests, which every app on the account shares. Nothing changed; Zoom resets it at 00:00 UTC, so try again ${hoursFrom(wait)}.`,
  refreshRefused: (wait: number): string =>
    `Zoom refused to renew the app’s access just now, without saying it has ended. Nothing changed; try again in ${seconds(wait)}.`,
  misconfigured: PAGES.misconfigured.paragraphs.join(' '),
  missingScope:
    'The app lacks a permission it needs in Zoom — reconnect it to Zoom to grant the permission.',
  userGone: 'Your Zoom user no longer exists.',
  accessRefused: 'Zoom did not accept the app’s access. Sign out and add the app to Zoom again.',
  unexpected: (status: number | null): string =>
    `Zoom answered with an unexpected error${status ? ` (${status})` : ''}; try again.`,
  paidAccountRequired: 'Zoom allows this only on a paid account, and yours is not one.',
};

/** An action's own words for its outcomes; an outcome it does not name gets the general ones. */
export interface ActionWords {
  /** The confirmation box was not ticked. */
  readonly notConfirmed?: string;
  /** The 400 page for a path whose id names nobody. */
  readonly notATarget?: MessageCopy;
  /** Zoom's list no longer holds whom the page showed. */
  readonly nothingThere?: (email: string | null) => string;
  readonly needsPermission?: string;
  /** Zoom's 404 for the acted-on person. */
  readonly targetGone?: string;
  /** Zoom refused: the sentence around its reason (`why`, already in words). */
  readonly refused?: (why: string, failure: ZoomFailure) => string;
  /** Zoom's list is not what the page showed: nothing was done. */
  readonly listChanged?: (added: readonly string[], goneCount: number) => string;
  /** The page that asks first (an action that cannot be undone here), for one person. */
  readonly confirmPage?: (email: string | null) => ConfirmCopy;
}

/** A page that asks before an action that cannot be undone. */
export interface ConfirmCopy {
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly button: string;
}

function changedSince(what: string, added: readonly string[], goneCount: number): string {
  const parts = [
    ...(added.length > 0 ? [`${listOf(added)} ${added.length === 1 ? 'was' : 'were'} added`] : []),
    ...(goneCount > 0
      ? [
          `${count(goneCount, 'person', 'people')} shown before ${goneCount === 1 ? 'is' : 'are'} no longer listed`,
        ]
      : []),
  ];
  return `${what} changed since this page was shown (${parts.join('; ')}), so nothing was done. The list below is current: confirm again if you still want to.`;
}

export const ACTION_WORDS = {
  'remove-assistant': {
    notATarget: PAGES.notAnAssistant,
    nothingThere: (email) =>
      `${email ?? 'That person'} is no longer your assistant, so there was nothing to remove.`,
    targetGone: 'Zoom no longer lists that assistant; the list below is current.',
  },
  'remove-all-assistants': {
    notConfirmed:
      'Nothing was removed: tick the box to confirm that you want to remove all assistants.',
    nothingThere: () => 'You had no assistants to remove.',
    listChanged: (added, goneCount) => changedSince('Your assistants', added, goneCount),
  },
  'undo-removal': {
    needsPermission:
      'Undo needs one more permission in Zoom, which this app did not ask for when you added it. Reconnect to Zoom to grant it; your history stays.',
    refused: (why, failure) =>
      failure.reason === 'paid_account_required'
        ? 'Zoom puts assistants back only on a paid account, and yours is not one; nothing changed.'
        : `Nothing was put back: ${why} The removal stays in your history; try Undo again.`,
  },
  'step-down': {
    notATarget: PAGES.notAScheduler,
    nothingThere: (email) =>
      `${email ?? 'That person'} no longer has you as an assistant, so there was nothing to step down from.`,
    confirmPage: (email) => ({
      heading: `Step down as ${email ?? 'this person'}’s assistant?`,
      paragraphs: [
        `You will no longer be able to schedule meetings for ${email ?? 'them'}.`,
        'This cannot be undone from here: only they can give you the privilege back.',
      ],
      button: 'Step down',
    }),
    needsPermission: STEP_DOWN_NEEDS_SCOPE,
    targetGone: SCHEDULER_GONE,
  },
  'step-down-all': {
    notConfirmed:
      'Nothing changed: tick the box to confirm that you want to step down as everyone’s assistant.',
    nothingThere: () => 'Nobody has you as an assistant, so there was nothing to step down from.',
    listChanged: (added, goneCount) =>
      changedSince('The people you schedule for', added, goneCount),
    needsPermission: STEP_DOWN_NEEDS_SCOPE,
    targetGone: SCHEDULER_GONE,
  },
  disconnect: {
    notConfirmed: 'Tick the box to confirm that you want to disconnect the app.',
  },
  'add-assistant': {
    needsPermission:
      'Adding an assistant needs a permission in Zoom that this app did not ask for when you added it. Reconnect to Zoom to grant it.',
    refused: (why, failure) =>
      failure.reason === 'paid_account_required'
        ? 'Zoom allows assistants only on a paid account, and yours is not one; nobody was added.'
        : `Nobody was added: ${why}`,
  },
  'set-end': {
    notATarget: PAGES.notAnAssistant,
    nothingThere: (email) =>
      `${email ?? 'That person'} is no longer your assistant, so there is no end to set.`,
    needsPermission:
      'An end needs the permission to remove assistants in Zoom, which this app did not ask for when you added it. Reconnect to Zoom to grant it.',
    refused: (why) => `The end was not set: ${why}`,
  },
} satisfies Record<ActionName, ActionWords>;

/** Why Zoom would not add someone (or did not), in words. */
export const NOT_ADDED: Record<
  RefusalReason | 'already' | 'not_listed',
  (email: string) => string
> = {
  not_in_account: (email) =>
    `${email} was not added: Zoom cannot find them in your account (assistants must be in the same Zoom account).`,
  no_licence: (email) =>
    `${email} was not added: they need a Zoom licence that allows it (a Licensed or On-prem user).`,
  is_you: () => 'That is your own email: you cannot be your own assistant. Nobody was added.',
  already: (email) =>
    `${email} is already your assistant; nothing changed. To give them an end, use the form on their row.`,
  not_listed: (email) =>
    `Zoom answered that it added ${email}, but does not list them as your assistant. Nothing was added; try again, or add them in Zoom.`,
  other: (email) => `${email} was not added: Zoom refused without a reason we know.`,
};

/** The words of the add and end forms' refusals (a 400 page: nothing was changed). */
export const INPUT_PROBLEMS = {
  email: (typed: string): MessageCopy => ({
    heading: 'That is not an email address',
    paragraphs: [
      typed === ''
        ? 'The email was empty. An assistant is named by their Zoom email, such as name@example.com.'
        : `“${typed}” is not an email address. An assistant is named by their Zoom email, such as name@example.com.`,
      'Nobody was added. Go back to correct it: the form keeps what you typed.',
    ],
    action: { href: '/#add', label: 'Back to the form' },
    tone: 'error',
  }),
  end_incomplete: (zone: string): MessageCopy => ({
    heading: 'The end needs a date and a time',
    paragraphs: [
      `Give both the date and the time (${zone}), or leave both empty for no end. Nothing was changed.`,
    ],
    action: { href: '/#assistants', label: 'Back to your assistants' },
    tone: 'error',
  }),
  end_invalid: (zone: string): MessageCopy => ({
    heading: 'That end is not a date and time',
    paragraphs: [
      `Give the date as year-month-day and the time as hours:minutes (${zone}). Nothing was changed.`,
    ],
    action: { href: '/#assistants', label: 'Back to your assistants' },
    tone: 'error',
  }),
  end_past: (zone: string): MessageCopy => ({
    heading: 'That end has already passed',
    paragraphs: [
      `An end must be in the future (${zone}). Nothing was changed: to take the privilege back now, use Remove.`,
    ],
    action: { href: '/#assistants', label: 'Back to your assistants' },
    tone: 'error',
  }),
};

export function wordsOf(action: ActionName): ActionWords {
  return ACTION_WORDS[action];
}

/** The words of the templates. */
export const VIEW = {
  landing: {
    heading: 'Take back your scheduling privilege',
    lede: `${APP_NAME} shows everyone you have allowed to schedule meetings for you in Zoom, and removes them — all at once or one by one.`,
    scope:
      'It changes nothing in your Zoom account unless you press a button, and it only ever acts on your own account.',
    addToZoom: 'Add to Zoom',
    hint: 'Already added it? The same button signs you in.',
  },
  dashboard: {
    heading: 'Your assistants',
    signedInAs: 'Signed in as',
    loadFailed: 'The list could not be loaded.',
    reload: 'Reload',
    reconnect: 'Reconnect to Zoom',
    cancel: 'Cancel',
    empty: 'You have no assistants. Nobody can schedule meetings on your behalf.',
    canSchedule: (n: number): string =>
      `${count(n, 'person', 'people')} can schedule meetings for you.`,
    remove: 'Remove',
    needsPermission:
      'These buttons need a permission in Zoom that this app did not ask for when you added it.',
    removeLabel: (email: string): string => `Remove ${email}`,
    clearHeading: 'Remove everyone at once',
    clearHint: 'They lose the privilege to schedule meetings for you right away.',
    clearConfirm: (n: number): string =>
      n === 1
        ? 'Yes, remove my only assistant from my account'
        : `Yes, remove all ${n} assistants from my account`,
    clearButton: (n: number): string => (n === 1 ? 'Remove my assistant' : 'Remove all assistants'),
    disconnectHeading: 'Disconnect',
    disconnectText:
      'Removes this app’s access in Zoom and deletes everything it keeps for you. Your assistants stay as they are.',
    /** `undos`: the removals the history still offers to undo. */
    disconnectHistory: (undos: number): string =>
      undos > 0
        ? `This also deletes your history: ${count(undos, 'removal')} you could still undo. After disconnecting, Undo is gone for ${undos === 1 ? 'it' : 'them'}.`
        : 'This also deletes your history.',
    /** Zoom lists at most 30 people: a full list may hide more. */
    more: (n: number): string =>
      `Zoom lists at most ${n} people, so there may be more than the ${n} shown here.`,
    clearHintMore:
      'Anyone Zoom did not list here is removed too, and Undo cannot put them back: the app never saw who they are.',
    /** The ends that go with the data: said before the user confirms. */
    disconnectEnds: (whom: readonly string[]): string =>
      `These ends will then not happen, so ${whom.length === 1 ? 'this assistant keeps' : 'these assistants keep'} the privilege until you remove them in Zoom: ${listOf(whom)}.`,
    disconnectConfirm: 'Yes, disconnect the app',
    disconnectButton: 'Disconnect this app from Zoom',
  },
  ends: {
    addHeading: 'Add an assistant',
    addIntro:
      'They must be in your Zoom account. Give an end, and the app takes the privilege back then, even if you never come back.',
    email: 'Their Zoom email',
    privateEvents: 'Can manage my private events',
    /** Names the zone the date and time are read in: the reader's device may be elsewhere. */
    endLegend: (zone: string): string => `End (optional), in ${zone}`,
    date: 'Date',
    time: 'Time',
    addButton: 'Add assistant',
    until: (when: string): string => `until ${when}`,
    setEnd: 'Set an end',
    changeEnd: 'Change the end',
    /** The row names the person already (and the Save button's name does): the zone only. */
    rowLegend: (zone: string): string => `End, in ${zone}`,
    saveEnd: 'Save the end',
    saveLabel: (email: string): string => `Save the end for ${email}`,
    cancelEnd: 'Cancel the end',
    cancelLabel: (email: string): string => `Cancel the end for ${email}`,
    upcomingHeading: 'Upcoming ends',
    upcomingIntro:
      'At each end the app removes that assistant (within 10 minutes) and records it in the History, with Undo.',
    overdue: (reason: string): string =>
      `Overdue: ${reason}. The app tries again within 10 minutes.`,
    failures: {
      zoom_refused: 'Zoom refused the removal',
      zoom_unavailable: 'Zoom did not answer',
      rate_limited: 'Zoom’s rate limit for your account was reached',
      needs_permission:
        'the app lacks the permission to remove assistants (reconnect to Zoom to grant it)',
      access_refused: 'Zoom refused the app’s access for a while',
      grant_gone: 'the app’s access had expired, unused, before the end came',
    },
  },
  history: {
    heading: 'History',
    intro:
      'Every change to who can act for you and for whom you act — made here or anywhere else, such as in Zoom’s settings or by an admin, found when this page compares Zoom’s lists with what it saw last. Undo puts back exactly who was removed, with the setting they had, for 30 days.',
    empty: 'No changes yet.',
    removed: (n: number): string => `Removed ${count(n, 'assistant')}`,
    /** Each change's headline, by where it was made; its people are listed below it. */
    change: {
      removedOutside: 'Removed as your assistant, outside this app',
      assistantAdded: 'Added as your assistant',
      assistantAddedOutside: 'Added as your assistant, outside this app',
      schedulerAdded: 'Made you their assistant',
      schedulerRemoved: 'No longer has you as their assistant',
      steppedDown: 'You stepped down as their assistant',
    },
    /** For a change made elsewhere: it happened between the app's last look and this one. */
    between: (from: string, to: string): string => `Between ${from} and ${to}`,
    ended: (n: number): string => `Ended as planned: removed ${count(n, 'assistant')}`,
    undone: (when: string): string => `Undone ${when}`,
    undo: 'Undo',
    /** Names the people: two removals in the same minute never share one name. */
    undoLabel: (emails: readonly string[], when: string): string =>
      `Undo the removal of ${listOf(emails)}, ${when}`,
    older: 'Older changes',
    newer: 'Newer changes',
    pages: 'Pages of the history',
    showing: (from: number, to: number, total: number): string =>
      from === to
        ? `Change ${from} of ${total}, the oldest.`
        : `Changes ${from}–${to} of ${total}, newest first.`,
    unavailable: 'Your history could not be loaded just now.',
    export: 'Download the whole history (CSV)',
    /** Since when the app knows of someone listed. */
    since: (day: string): string => `since ${day}`,
    before: (day: string): string => `before ${day}`,
  },
  /** The export's header row and its words (one row per person per change). */
  historyCsv: {
    filename: 'assistant-history.csv',
    header: ['time_utc', 'direction', 'change', 'email', 'where', 'undone'],
    direction: { assistant: 'assistant', scheduler: 'scheduler' },
    where: { here: 'this app', elsewhere: 'elsewhere' },
    change: {
      added: 'added',
      removed: 'removed',
      putBack: 'put back',
      steppedDown: 'stepped down',
    },
  },
  schedulers: {
    heading: 'People you schedule for',
    intro:
      'They made you their assistant: you can schedule meetings for them. Stepping down cannot be undone from here — only that person can give you the privilege back.',
    empty: 'Nobody has made you their assistant.',
    count: (n: number): string => `You can schedule meetings for ${count(n, 'person', 'people')}.`,
    stepDown: 'Step down',
    stepDownLabel: (email: string): string => `Step down as assistant of ${email}`,
    allHeading: 'Step down from all',
    /** Names the people when they are few, else counts them: never "this person". */
    allConfirm: (emails: readonly string[], more: boolean): string => {
      const n = emails.length;
      const whom =
        n === 1
          ? emails.join('')
          : n === 2
            ? `either ${emails[0] ?? ''} or ${emails[1] ?? ''}`
            : `any of these ${n} people`;
      return `Yes, I no longer want to schedule for ${whom}${more ? ', nor for anyone Zoom did not list' : ''}`;
    },
    allHintMore:
      'This also steps you down for anyone Zoom did not list here; only they can give you the privilege back.',
    allButton: 'Step down from all',
    needsScope:
      'This app cannot see whom you schedule for yet: it did not ask Zoom for that permission when you added it.',
    grantAccess: 'Grant access',
    loadFailed: 'The people you schedule for could not be loaded.',
  },
  layout: {
    appName: APP_NAME,
    signOut: 'Sign out',
    footerNav: 'About this app',
    footer:
      'Works with your Zoom account through Zoom’s API. It stores only what it needs to act for you, encrypted.',
  },
};
