/**
 * A tiny seeded PRNG (mulberry32) and the few helpers the fuzz generators need. No
 * Math.random anywhere: the same seed gives the same sequence of requests.
 */
// Jest runs tests in a vm context, where every global lookup (`Math`) goes through an
// interceptor: bound once here, the generator is some 40 times faster.
const { imul, floor } = Math;

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A size skewed towards small values, sometimes up to `max`. */
  size(max: number): number {
    const r = this.next();
    if (r < 0.7) return this.int(0, 32);
    if (r < 0.95) return this.int(33, 2048);
    return this.int(2049, max);
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }

  /** A string of `n` characters drawn from `alphabet` (latin-1 characters only). */
  string(n: number, alphabet: string): string {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = alphabet.charCodeAt(this.int(0, alphabet.length - 1));
    return b.toString('latin1');
  }
}
