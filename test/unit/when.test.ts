import { describeTime, inZone, shortDay, shortTime } from '../../src/http/when';

// Tuesday 1 December 2026, 12:00 UTC.
const NOW = Date.UTC(2026, 11, 1, 12, 0);
const at = (y: number, mo: number, d: number, h: number, mi: number): number =>
  Date.UTC(y, mo - 1, d, h, mi);

describe('describeTime: when, in words, in the user’s time zone', () => {
  test.each([
    ['earlier today', at(2026, 12, 1, 9, 5), 'Europe/London', 'today at 09:05 London time'],
    ['yesterday', at(2026, 11, 30, 18, 40), 'Europe/London', 'yesterday at 18:40 London time'],
    ['this week', at(2026, 11, 28, 10, 0), 'Europe/London', 'on Saturday at 10:00 London time'],
    ['last month', at(2026, 11, 10, 8, 30), 'Europe/London', 'on 10 November at 08:30 London time'],
    [
      'another year',
      at(2025, 3, 3, 8, 30),
      'Europe/London',
      'on 3 March 2025 at 08:30 London time',
    ],
    // 23:30 UTC on 30 November is already 1 December in Tokyo: "today" there.
    [
      'a zone where it is already the next day',
      at(2026, 11, 30, 23, 30),
      'Asia/Tokyo',
      'today at 08:30 Tokyo time',
    ],
    // 02:00 UTC on 1 December is still 30 November in Los Angeles: "yesterday" there.
    [
      'a zone where it was still the day before',
      at(2026, 12, 1, 2, 0),
      'America/Los_Angeles',
      'yesterday at 18:00 Los Angeles time',
    ],
    ['no time zone: UTC, said so', at(2026, 12, 1, 9, 5), null, 'today at 09:05 UTC'],
    [
      'an unknown time zone: UTC, said so',
      at(2026, 12, 1, 9, 5),
      'Mars/Olympus',
      'today at 09:05 UTC',
    ],
    ['a zone named by its offset', at(2026, 12, 1, 9, 5), 'Etc/GMT-5', 'today at 14:05 GMT+5 time'],
    [
      'a city of three words',
      at(2026, 12, 1, 9, 5),
      'America/Argentina/Buenos_Aires',
      'today at 06:05 Buenos Aires time',
    ],
  ])('%s', (_label, when, zone, words) => {
    expect(describeTime(when, NOW, zone)).toBe(words);
  });
});

describe('shortTime and shortDay: the History’s "between" and a person’s "since"', () => {
  const now = Date.UTC(2026, 11, 7, 14, 5);
  test.each([
    [Date.UTC(2026, 11, 7, 9, 12), 'Europe/London', 'today 09:12'],
    [Date.UTC(2026, 11, 6, 23, 30), 'Europe/London', 'yesterday 23:30'],
    // In Tokyo it is already the 7th, so "today".
    [Date.UTC(2026, 11, 6, 23, 30), 'Asia/Tokyo', 'today 08:30'],
    [Date.UTC(2026, 11, 3, 9, 12), 'Europe/London', '3 Dec 09:12'],
    [Date.UTC(2025, 2, 3, 9, 12), null, '3 Mar 2025 09:12'],
  ])('%s in %s', (at, zone, expected) => {
    expect(shortTime(at, now, zone)).toBe(expected);
  });
  test('a day alone, and the zone named once', () => {
    expect(shortDay(Date.UTC(2026, 11, 1), now, 'Europe/London')).toBe('1 Dec');
    expect(inZone('America/New_York')).toBe('(New York time)');
    expect(inZone('not/a zone')).toBe('(UTC)');
  });
});
