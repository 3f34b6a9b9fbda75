import { endWords } from '../../src/http/when';
import { endOf, validEmail } from '../../src/zoom/actions/flows';
import { dueEnds, instantIn, usableZone, wallClockIn } from '../../src/zoom/ends';

const at = (y: number, mo: number, d: number, h: number, mi: number): number =>
  Date.UTC(y, mo - 1, d, h, mi);
// Monday 7 December 2026, 10:00 UTC.
const NOW = at(2026, 12, 7, 10, 0);

describe('instantIn: a date and a time on the wall clock of a zone', () => {
  test.each([
    ['London in winter (UTC)', '2026-12-12', '18:00', 'Europe/London', at(2026, 12, 12, 18, 0)],
    ['London in summer (BST)', '2027-07-01', '18:00', 'Europe/London', at(2027, 7, 1, 17, 0)],
    ['New York in winter', '2027-01-15', '09:00', 'America/New_York', at(2027, 1, 15, 14, 0)],
    ['New York in summer', '2027-07-15', '09:00', 'America/New_York', at(2027, 7, 15, 13, 0)],
    ['Tokyo', '2026-12-12', '08:00', 'Asia/Tokyo', at(2026, 12, 11, 23, 0)],
    ['Kolkata (a half hour)', '2026-12-12', '18:00', 'Asia/Kolkata', at(2026, 12, 12, 12, 30)],
    ['UTC', '2026-12-12', '00:00', 'UTC', at(2026, 12, 12, 0, 0)],
    // 01:30 does not exist in London on 28 March 2027 (01:00 → 02:00): it is 02:30 BST.
    [
      'a time skipped by a clock change',
      '2027-03-28',
      '01:30',
      'Europe/London',
      at(2027, 3, 28, 1, 30),
    ],
  ])('%s', (_name, date, time, zone, expected) => {
    expect(instantIn(date, time, zone)).toBe(expected);
  });

  test.each([
    ['2026-02-31', '10:00'],
    ['2026-13-01', '10:00'],
    ['2026-12-12', '24:00'],
    ['2026-12-12', '10:60'],
    ['12/12/2026', '10:00'],
    ['2026-12-12', '10am'],
  ])('%s %s names no moment', (date, time) => {
    expect(instantIn(date, time, 'Europe/London')).toBeNull();
  });

  test('wallClockIn is its inverse (what the inputs show)', () => {
    const t = instantIn('2027-01-15', '09:00', 'America/New_York') ?? 0;
    expect(wallClockIn(t, 'America/New_York')).toEqual({ date: '2027-01-15', time: '09:00' });
  });

  test('a zone the runtime does not know is read as UTC', () => {
    expect(usableZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(usableZone(null)).toBe('UTC');
  });
});

describe('endWords: the end as a row says it', () => {
  test.each([
    [at(2026, 12, 12, 18, 0), 'Europe/London', 'Sat 12 Dec, 18:00 (London time)'],
    [at(2027, 1, 15, 14, 0), 'America/New_York', 'Fri 15 Jan 2027, 09:00 (New York time)'],
    [at(2026, 12, 12, 18, 0), null, 'Sat 12 Dec, 18:00 (UTC)'],
  ])('%s in %s', (t, zone, words) => {
    expect(endWords(t, NOW, zone)).toBe(words);
  });
});

describe('the add form’s fields', () => {
  test.each([
    ['edsger@example.com', 'edsger@example.com'],
    ['  edsger@example.com ', 'edsger@example.com'],
    ['first.last+tag@sub.example.co.uk', 'first.last+tag@sub.example.co.uk'],
    ['not an email', null],
    ['a@b', null],
    ['a@@example.com', null],
    ['<a>@example.com', null],
    ['', null],
    [`${'a'.repeat(250)}@example.com`, null],
  ])('%j → %j', (raw, email) => {
    expect(validEmail(raw)).toBe(email);
  });

  test.each([
    [{}, { at: null }],
    [{ endDate: '2026-12-12', endTime: '18:00' }, { at: at(2026, 12, 12, 18, 0) }],
    [{ endDate: '2026-12-12' }, { problem: 'end_incomplete' }],
    [{ endTime: '18:00' }, { problem: 'end_incomplete' }],
    [{ endDate: '2026-12-07', endTime: '10:00' }, { problem: 'end_past' }],
    [{ endDate: 'soon', endTime: '18:00' }, { problem: 'end_invalid' }],
  ])('end %j → %j', (fields, expected) => {
    expect(endOf(fields, 'Europe/London', NOW)).toEqual(expected);
  });

  test('dueEnds: those whose time has come, soonest first', () => {
    const e = (id: string, t: number) => ({ assistantId: id, email: `${id}@x.example`, at: t });
    expect(
      dueEnds([e('b', NOW), e('c', NOW + 1), e('a', NOW - 5)], NOW).map((x) => x.assistantId),
    ).toEqual(['a', 'b']);
  });
});
