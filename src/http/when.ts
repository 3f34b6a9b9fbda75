/**
 * When something happened, in words a person reads, in their own time zone (from their Zoom
 * profile, where Zoom gives one): "today at 14:05", "yesterday at 09:12", "on Monday at
 * 10:00", "on 24 November at 10:00", "on 3 March 2025 at 08:30", each naming its zone
 * ("London time"): the reader's device may be elsewhere. Without a usable time zone, UTC.
 * Pure: unit-tested as a table.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

function validZone(timeZone: string | null | undefined): string | null {
  if (!timeZone) return null;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return timeZone;
  } catch {
    return null;
  }
}

interface Parts {
  year: number;
  month: number;
  day: number;
}

function dayIn(at: number, timeZone: string): Parts {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  });
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day) };
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
  const offset = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'shortOffset' })
    .formatToParts(0)
    .find((p) => p.type === 'timeZoneName')?.value;
  return offset ? `${offset} time` : zone;
}

export function describeTime(at: number, now: number, timeZone?: string | null): string {
  const zone = validZone(timeZone) ?? 'UTC';
  const suffix = ` ${zoneName(zone)}`;
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  const then = dayIn(at, zone);
  const today = dayIn(now, zone);
  const ago = daysBetween(then, today);
  let day: string;
  if (ago === 0) day = 'today';
  else if (ago === 1) day = 'yesterday';
  else if (ago > 1 && ago < 7) {
    day = `on ${new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'long' }).format(at)}`;
  } else {
    day = `on ${new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      day: 'numeric',
      month: 'long',
      ...(then.year === today.year ? {} : { year: 'numeric' }),
    }).format(at)}`;
  }
  return `${day} at ${time}${suffix}`;
}

/**
 * An end as its row says it: "Fri 12 Dec, 18:00 (London time)"; the year only when it is not
 * this year's. Without a usable time zone, UTC.
 */
export function endWords(at: number, now: number, timeZone?: string | null): string {
  const zone = validZone(timeZone) ?? 'UTC';
  const sameYear = dayIn(at, zone).year === dayIn(now, zone).year;
  const day = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  })
    .format(at)
    .replace(',', '');
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return `${day}, ${time} (${zoneName(zone)})`;
}
