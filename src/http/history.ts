import { isRemoval, type Change, type LedgerEntry } from '../zoom/ledger';
import { UNDO_MS, type Removal } from '../zoom/removals';
import { VIEW } from './copy';
import type { HistoryEntry, HistoryPages } from './pages';
import { describeTime, inZone, shortTime } from './when';

/** The History section shows this many entries a page, newest first. */
export const HISTORY_PAGE_SIZE = 10;

/** Which entries `?history=N` shows (a page past the end shows the last one), and its links. */
export function historyPage(
  total: number,
  requested: unknown,
): { from: number; to: number; links: HistoryPages | null } {
  const pages = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  const asked =
    typeof requested === 'string' && /^\d{1,4}$/.test(requested) ? Number(requested) : 1;
  const n = Math.min(Math.max(asked, 1), pages);
  const from = (n - 1) * HISTORY_PAGE_SIZE;
  const to = Math.min(from + HISTORY_PAGE_SIZE, total);
  const at = (p: number): string => (p === 1 ? '/#history' : `/?history=${p}#history`);
  return {
    from,
    to,
    links:
      pages === 1
        ? null
        : {
            showing: VIEW.history.showing(from + 1, to, total),
            newer: n > 1 ? at(n - 1) : null,
            older: n < pages ? at(n + 1) : null,
          },
  };
}

/** An entry as the History section shows it. */
export function historyEntry(
  entry: LedgerEntry,
  now: number,
  timeZone: string | null,
): HistoryEntry {
  const when = describeTime(entry.at, now, timeZone);
  const between =
    entry.from === undefined
      ? null
      : `${VIEW.history.between(shortTime(entry.from, now, timeZone), shortTime(entry.at, now, timeZone))} ${inZone(timeZone)}`;
  if (!isRemoval(entry)) {
    return {
      id: entry.id,
      when,
      between,
      summary: changeHeadline(entry),
      emails: entry.people.map((p) => p.email),
      undone: null,
      undo: null,
    };
  }
  const undo = entry.undo;
  const emails = entry.assistants.map((a) => a.email);
  return {
    id: entry.id,
    when,
    between,
    summary:
      entry.from !== undefined
        ? VIEW.history.change.removedOutside
        : entry.cause === 'end'
          ? VIEW.history.ended(emails.length)
          : VIEW.history.removed(emails.length),
    emails,
    undone:
      undo.state === 'done' ? VIEW.history.undone(describeTime(undo.at, now, timeZone)) : null,
    undo: undoable(entry, now) ? { label: VIEW.history.undoLabel(emails, when) } : null,
  };
}

/** Undo is offered for 30 days, until it is done. */
export function undoable(removal: Removal, now: number): boolean {
  return removal.undo.state !== 'done' && now - removal.at < UNDO_MS;
}

function changeHeadline(c: Change): string {
  const t = VIEW.history.change;
  const here = c.from === undefined;
  if (c.side === 'assistant') {
    return c.change === 'added'
      ? here
        ? t.assistantAdded
        : t.assistantAddedOutside
      : t.removedOutside;
  }
  if (c.change === 'added') return t.schedulerAdded;
  return here ? t.steppedDown : t.schedulerRemoved;
}

/** The whole ledger as CSV: a header row, then one row per person per change, oldest first. */
export function historyCsv(entries: readonly LedgerEntry[]): string {
  const w = VIEW.historyCsv;
  const rows: string[][] = [[...w.header]];
  for (const e of [...entries].sort((a, b) => a.at - b.at)) {
    const where = e.from === undefined ? w.where.here : w.where.elsewhere;
    const time = new Date(e.at).toISOString();
    if (isRemoval(e)) {
      const back = new Set(
        e.undo.state === 'done'
          ? e.undo.outcomes
              .filter((o) => o.result === 'back' || o.result === 'already')
              .map((o) => o.email)
          : [],
      );
      for (const a of e.assistants) {
        rows.push([
          time,
          w.direction.assistant,
          w.change.removed,
          a.email,
          where,
          yesNo(back.has(a.email)),
        ]);
      }
      continue;
    }
    const change =
      e.side === 'scheduler' && e.change === 'removed' && e.from === undefined
        ? w.change.steppedDown
        : w.change[e.change];
    for (const p of e.people) {
      rows.push([time, w.direction[e.side], change, p.email, where, '']);
    }
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula is made plain text. */
function csvCell(value: string): string {
  const plain = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(plain) ? `"${plain.replace(/"/g, '""')}"` : plain;
}
