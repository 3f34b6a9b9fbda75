import { steadyPool } from '../../src/zoom/use-cases/steady-pool';

async function* pagesOf<T>(pages: T[][], read: number[] = []): AsyncIterable<T[]> {
  for (const [i, page] of pages.entries()) {
    read.push(i);
    yield await Promise.resolve(page); // a page read from Redis arrives later
  }
}

describe('steadyPool', () => {
  test('one held item holds up only its own worker; every item is done once', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((r) => (release = r));
    const done: number[] = [];
    const run = steadyPool(pagesOf([[0, 1, 2], [], [3, 4, 5, 6]]), 2, async (n) => {
      if (n === 0) await held;
      done.push(n);
      // The other worker finishes everything else while item 0 is held.
      if (done.length === 6) release();
    });
    await run;
    expect(done.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(done).toHaveLength(7);
  });

  test('pages are read as the queue runs dry, not ahead', async () => {
    const read: number[] = [];
    const seenWhenReading: number[] = [];
    const done: number[] = [];
    await steadyPool(
      pagesOf(
        [
          [1, 2],
          [3, 4],
        ],
        read,
      ),
      1,
      async (n) => {
        seenWhenReading.push(read.length);
        done.push(n);
        await Promise.resolve();
      },
    );
    expect(done).toEqual([1, 2, 3, 4]);
    expect(seenWhenReading).toEqual([1, 1, 2, 2]);
  });

  test('the first failure stops the others taking more, and is thrown', async () => {
    const done: number[] = [];
    const run = steadyPool(pagesOf([[1, 2, 3, 4, 5, 6]]), 2, async (n) => {
      await new Promise((r) => setImmediate(r));
      if (n === 2) throw new Error('storage');
      done.push(n);
    });
    await expect(run).rejects.toThrow('storage');
    expect(done.length).toBeLessThan(5);
  });
});
