import { parseCount, parseEmail } from '../../src/http/dashboard.routes';

describe('parseCount', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['7', 7],
    ['07', 7],
    ['30', 30],
  ])('reads %p as %i', (text, count) => {
    expect(parseCount(text)).toBe(count);
  });

  it.each([
    undefined,
    '',
    '31',
    '99',
    '100',
    '030',
    '-1',
    '1.5',
    ' 3',
    '3 ',
    '1e1',
    'three',
    '0x1',
  ])('answers null ("all") for %p', (text) => {
    expect(parseCount(text)).toBeNull();
  });
});

describe('parseEmail', () => {
  it.each(['jchill@example.com', 'a+tag@sub.example.co.uk', 'x@y'])('keeps %p', (email) => {
    expect(parseEmail(email)).toBe(email);
  });

  it('keeps an address of exactly 254 characters', () => {
    const email = `${'a'.repeat(254 - '@example.com'.length)}@example.com`;
    expect(email).toHaveLength(254);
    expect(parseEmail(email)).toBe(email);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['no @', 'jchill.example.com'],
    ['two @', 'a@b@c'],
    ['nothing before @', '@example.com'],
    ['nothing after @', 'jchill@'],
    ['a space', 'j chill@example.com'],
    ['a newline', 'jchill@example.com\n'],
    ['markup', '<script>@example.com'],
    ['an angle-bracket name', 'Jill <jchill@example.com>'],
    ['over 254 characters', `${'a'.repeat(250)}@example.com`],
  ])('answers null for %s', (_label, text) => {
    expect(parseEmail(text)).toBeNull();
  });
});
