/**
 * When something happened, in words a person reads, in their own time zone (from their Zoom
 * profile, where Zoom gives one): "today at 14:05", "yesterday at 09:12", "on Monday at
 * 10:00", "on 24 November at 10:00", "on 3 March 2025 at 08:30", each naming its zone
 * ("London time"): the reader's device may be elsewhere. Without a usable time zone, UTC.
 * Pure: unit-tested as a table.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

const FORMATS = {
  day: { year: 'numeric', month: 'numeric', day: 'numeric' },
  clock: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  weekday: { weekday: 'long' },
  longDate: { day: 'numeric', month: 'long' },
  longDateYear: { day: 'numeric', month: 'long', year: 'numeric' },
  shortDate: { day: 'numeric', month: 'short' },
  shortDateYear: { day: 'numeric', month: 'short', year: 'numeric' },
  offset: { timeZoneName: 'shortOffset' },
  endDate: { weekday: 'short', day: 'numeric', month: 'short' },
  endDateYear: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

// Making a formatter costs far more than using one, and a page uses a dozen: one per zone and kind.
const formatters = new Map<string, Intl.DateTimeFormat | null>();
const MAX_FORMATTERS = 1000;

/** The formatter of a kind in a zone; null for a zone Intl does not know. */
function formatIn(timeZone: string, kind: keyof typeof FORMATS): Intl.DateTimeFormat | null {
  const key = `${kind} ${timeZone}`;
  let f = formatters.get(key);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone, ...FORMATS[kind] });
    } catch {
      f = null;
    }
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}

/** Formats with a zone already known valid. */
function format(at: number, timeZone: string, kind: keyof typeof FORMATS): string {
  return formatIn(timeZone, kind)?.format(at) ?? '';
}

function validZone(timeZone: string | null | undefined): string | null {
  return timeZone && formatIn(timeZone, 'clock') ? timeZone : null;
}

interface Parts {
  year: number;
  month: number;
  day: number;
}

function dayIn(at: number, timeZone: string): Parts {
  const parts = formatIn(timeZone, 'day')?.formatToParts(at) ?? [];
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day) };
}

/** "14:05" in the zone. */
function clockIn(at: number, timeZone: string): string {
  return format(at, timeZone, 'clock');
}

/** Calendar days from `a` to `b` (in their zone), whatever the hours. */
function daysBetween(a: Parts, b: Parts): number {
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS,
  );
}

/** "London time" for Europe/London; the offset ("GMT+5 time") for a zone with no city; "UTC". */
export function zoneName(zone: string): string {
  const city =
    /^(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)\/(?:.+\/)?([^/]+)$/.exec(
      zone,
    )?.[1];
  if (city) return `${city.replace(/_/g, ' ')} time`;
  if (/^(?:Etc\/)?(?:UTC|GMT|UCT|Universal|Zulu)$/.test(zone)) return 'UTC';
  const offset = formatIn(zone, 'offset')
    ?.formatToParts(0)
    .find((p) => p.type === 'timeZoneName')?.value;
  return offset ? `${offset} time` : zone;
}

export function describeTime(at: number, now: number, timeZone?: string | null): string {
  const zone = validZone(timeZone) ?? 'UTC';
  const suffix = ` ${zoneName(zone)}`;
  const time = clockIn(at, zone);
  const then = dayIn(at, zone);
  const today = dayIn(now, zone);
  const ago = daysBetween(then, today);
  let day: string;
  if (ago === 0) day = 'today';
  else if (ago === 1) day = 'yesterday';
  else if (ago > 1 && ago < 7) day = `on ${format(at, zone, 'weekday')}`;
  else day = `on ${format(at, zone, then.year === today.year ? 'longDate' : 'longDateYear')}`;
  return `${day} at ${time}${suffix}`;
}

/** "today 14:05", "yesterday 09:12", "3 Dec 09:12", "3 Dec 2025 09:12" in the zone (no zone name). */
export function shortTime(at: number, now: number, timeZone?: string | null): string {
  const zone = validZone(timeZone) ?? 'UTC';
  const time = clockIn(at, zone);
  const ago = daysBetween(dayIn(at, zone), dayIn(now, zone));
  if (ago === 0) return `today ${time}`;
  if (ago === 1) return `yesterday ${time}`;
  return `${shortDay(at, now, zone)} ${time}`;
}

/** "3 Dec"; "3 Dec 2025" in another year. */
export function shortDay(at: number, now: number, timeZone?: string | null): string {
  const zone = validZone(timeZone) ?? 'UTC';
  const sameYear = dayIn(at, zone).year === dayIn(now, zone).year;
  return format(at, zone, sameYear ? 'shortDate' : 'shortDateYear');
}

/** "(London time)": the zone the short forms are in. */
export function inZone(timeZone?: string | null): string {
  return `(${zoneName(validZone(timeZone) ?? 'UTC')})`;
}

/**
 * An end as its row says it: "Fri 12 Dec, 18:00 (London time)"; the year only when it is not
 * this year's. Without a usable time zone, UTC.
 */
export function endWords(at: number, now: number, timeZone?: string | null): string {
  const zone = validZone(timeZone) ?? 'UTC';
  const sameYear = dayIn(at, zone).year === dayIn(now, zone).year;
  const day = format(at, zone, sameYear ? 'endDate' : 'endDateYear').replace(',', '');
  const time = clockIn(at, zone);
  return `${day}, ${time} (${zoneName(zone)})`;
}
