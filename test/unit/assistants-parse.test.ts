import { parseEmail } from '../../src/http/assistants.routes';

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
