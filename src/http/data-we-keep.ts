import type { Config } from '../config';
import { REPLAY_TTL_MS } from '../zoom/actions/action';
import { AUTHORIZATION_LIFETIME_MS } from '../zoom/authorization';
import { UNDO_DAYS } from '../zoom/removals';
import { count } from './copy';
import { RATE_LIMIT_WINDOWS_MS } from './rate-limits';

/**
 * What the app keeps about a person, where, and until when: one set of facts, made from the
 * running configuration and the code's own constants, that both /privacy and the README's
 * "Data we keep" are rendered from (test/unit/readme-sections.test.ts holds them together).
 * Text may carry `code` in backticks; each renderer turns it into its own markup. The README
 * adds each record's Redis key (scripts/readme-sections.ts).
 */

export type KeptKind =
  'grant' | 'session' | 'sessionIndex' | 'history' | 'ends' | 'replays' | 'actionCount' | 'lock';

export interface KeptRecord {
  readonly kind: KeptKind;
  readonly what: string;
  readonly deletedWhen: string;
}

export interface DataWeKeep {
  readonly perUser: readonly KeptRecord[];
  /** Why so long, what else exists briefly, what the logs hold. */
  readonly notes: readonly string[];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "90 days", "24 hours", "1 minute", "15 seconds": the largest unit that divides it. */
export function duration(ms: number): string {
  // A day is said in hours ("24 hours without use"), as people count it.
  if (ms >= 2 * DAY && ms % DAY === 0) return count(ms / DAY, 'day');
  for (const [unit, size] of [
    ['hour', HOUR],
    ['minute', MINUTE],
  ] as const) {
    if (ms >= size && ms % size === 0) return count(ms / size, unit);
  }
  return count(Math.round(ms / SECOND), 'second');
}

export function dataWeKeep(config: Config): DataWeKeep {
  const grantLife = duration(config.tokens.recordTtlSeconds * SECOND);
  const history = duration(config.historyDays * DAY);
  const undo = duration(UNDO_DAYS * DAY);
  const windows = RATE_LIMIT_WINDOWS_MS;
  const shortest = Math.min(...Object.values(windows));
  const longest = Math.max(...Object.values(windows));
  return {
    perUser: [
      {
        kind: 'grant',
        what: 'the grant, encrypted (AES-256-GCM): its random id and the time of the code exchange, the access and refresh tokens, the access token’s expiry, the scopes, the time of the last write; and the user’s name, email, time zone and Zoom account id from their Zoom profile at sign-in (for “Signed in as”, times in their zone, and keeping within their account’s rate limits when ends are carried out)',
        deletedWhen: `when the user removes the app in Zoom (if the grant was made before the removal), disconnects it here, or Zoom refuses the grant (in use or at the sweep); else ${grantLife} after its last use (renewed on every use)`,
      },
      {
        kind: 'session',
        what: 'a signed-in session: the Zoom user id, the id of the grant it signed in with, a CSRF token, the time it was last seen, and a one-time message encrypted to the session (it may name an assistant); no name, no email, no tokens',
        deletedWhen: `at sign-out, and with the grant (a session whose grant is gone is deleted on its next read); else after ${duration(config.session.absoluteLifetimeMs)}, or ${duration(config.session.idleTimeoutMs)} without use`,
      },
      {
        kind: 'sessionIndex',
        what: 'the ids of the user’s sessions (a sorted set scored by expiry), so that all of them can be ended at once',
        deletedWhen:
          'with the grant; expired ids are pruned at each sign-in; the key expires with the newest session',
      },
      {
        kind: 'history',
        what: `the user’s ledger, each entry encrypted (AES-256-GCM, like the tokens): every change to who can act for them and for whom they act in the last ${history} (\`HISTORY_DAYS\`) — when, what, where it was made, and each person’s Zoom id and email (a removed assistant’s \`can_manage_host_private_event\` too: what Undo puts back, for ${undo}); and both of Zoom’s lists as the app last saw them, with since when it knows each person, to notice changes made outside the app`,
        deletedWhen: `with the grant; else ${history} after its last change (older entries are never shown, and are pruned)`,
      },
      {
        kind: 'ends',
        what: 'the end the user gave each assistant, each encrypted (AES-256-GCM, like the tokens): the assistant’s id and email, the moment of the end, and, when the sweep could not carry it out yet, why and when it last tried',
        deletedWhen: `when the end is carried out or cancelled, or the assistant is removed before it; with the grant (Disconnect says which ends will then not happen); else ${history} after the latest end (a grant that expired unused leaves its ends until then, so they happen if the user signs in again)`,
      },
      {
        kind: 'replays',
        what: `the outcome of each form the user submitted in the last ${duration(REPLAY_TTL_MS)}, encrypted (AES-256-GCM): what it did, such as who was removed, so that a double click or a retry gets the first answer instead of acting twice`,
        deletedWhen: `with the grant; else ${duration(REPLAY_TTL_MS)} after the last submit`,
      },
      {
        kind: 'actionCount',
        what: 'a count of the user’s recent assistant actions (a rate limit)',
        deletedWhen: `with the grant; else after ${duration(windows.actions)}`,
      },
      {
        kind: 'lock',
        what: `present only while the grant’s tokens are being renewed (it lapses ${duration(config.tokens.lockTtlMs)} after the renewal stops), or for ${duration(config.tokens.refusalCoolDownMs)} after Zoom refused a renewal without ending the grant (so page views do not repeat it)`,
        deletedWhen: 'when the renewal ends, or after that; with the grant',
      },
    ],
    notes: [
      `Why so long, and no longer: a grant lives while the user uses the app; one unused for ${grantLife} expires by itself. A user who removes the app in Zoom is deleted when Zoom’s \`app_deauthorized\` notification arrives and, if that notification is lost, by the sweep (\`npm run sweep\`, every 10 minutes), which asks Zoom about every grant unused for ${duration(config.sweep.idleMs)}. A removed user leaves nothing behind: the grant and every key above go in one step, and a session that a request in flight writes back afterwards is deleted at once.`,
      `A visitor who starts an install but does not finish it has a session holding only the pending OAuth \`state\` and PKCE verifier, which lives as long as that sign-in may (${duration(AUTHORIZATION_LIFETIME_MS)}), not as long as its cookie. Nothing an anonymous request writes lives past 15 minutes.`,
      `Rate-limit counters per IP address (of installs, sign-in callbacks and badly signed notifications) live between ${duration(shortest)} and ${duration(longest)}; each is named by a keyed hash of the address, so it names no one.`,
      'So nothing in Redis names a person in the clear: key names carry Zoom user ids, and every name and email address is inside an encrypted value.',
      'Logs carry Zoom user ids and event times, never tokens, codes, states or secrets.',
    ],
  };
}
