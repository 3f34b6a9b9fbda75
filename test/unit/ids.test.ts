import { isRemovalId, isZoomUserId, shownEmail } from '../../src/zoom/ids';
import { newRemoval } from '../../src/zoom/removals';

describe('shownEmail', () => {
  it.each(['jchill@example.com', 'a+tag@sub.example.co.uk', 'x@y'])('keeps %p', (email) => {
    expect(shownEmail(email)).toBe(email);
  });

  it('keeps an address of exactly 254 characters', () => {
    const email = `${'a'.repeat(254 - '@example.com'.length)}@example.com`;
    expect(email).toHaveLength(254);
    expect(shownEmail(email)).toBe(email);
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
    expect(shownEmail(text)).toBeNull();
  });
});

describe('isZoomUserId', () => {
  it.each(['KDcuGIm1QgePTO8WbOqwIQ', 'z8yBXksxRxKC0MYGrz-aFw', 'a_b', 'x', 'a'.repeat(64)])(
    'accepts the id %p',
    (id) => {
      expect(isZoomUserId(id)).toBe(true);
    },
  );

  it.each([
    '',
    'a'.repeat(65),
    '../users',
    'a/b',
    'a%2Fb',
    'a.b',
    'a b',
    'jchill@example.com',
    'abc\n',
    'abc?x=1',
  ])('rejects %p', (id) => {
    expect(isZoomUserId(id)).toBe(false);
  });
});

describe('isRemovalId', () => {
  it('accepts the ids the history makes', () => {
    expect(isRemovalId(newRemoval([], 0).id)).toBe(true);
  });

  it.each(['', 'a'.repeat(33), '../x', 'a b', 'a.b', 42, undefined])('rejects %p', (id) => {
    expect(isRemovalId(id)).toBe(false);
  });
});
