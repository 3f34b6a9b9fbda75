import { newIntent } from '../../src/http/pages';
import { isIntentId } from '../../src/zoom/ids';

test('one-time form ids: never the same twice across many pool refills, each a valid id', () => {
  const ids = Array.from({ length: 1000 }, newIntent);
  expect(new Set(ids).size).toBe(1000);
  expect(ids.every(isIntentId)).toBe(true);
});
