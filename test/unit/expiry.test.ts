import { isFresh } from '../../src/zoom/expiry';

describe('isFresh', () => {
  const now = 1_700_000_000_000;
  const margin = 5 * 60 * 1000;

  it('is fresh when more than the margin remains', () => {
    expect(isFresh(now + margin + 1, now, margin)).toBe(true);
    expect(isFresh(now + 60 * 60 * 1000, now, margin)).toBe(true);
  });

  it('is not fresh when exactly the margin remains', () => {
    expect(isFresh(now + margin, now, margin)).toBe(false);
  });

  it('is not fresh inside the margin', () => {
    expect(isFresh(now + margin - 1, now, margin)).toBe(false);
  });

  it('is not fresh once expired', () => {
    expect(isFresh(now, now, margin)).toBe(false);
    expect(isFresh(now - 1, now, margin)).toBe(false);
  });

  it('with no margin, is fresh until the expiry instant', () => {
    expect(isFresh(now + 1, now, 0)).toBe(true);
    expect(isFresh(now, now, 0)).toBe(false);
  });
});
