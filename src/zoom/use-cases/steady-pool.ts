/**
 * Runs `work` on every item of the pages with `concurrency` workers, each taking the next item
 * as soon as it is done with one, so a slow item holds up only its own worker. Pages are read
 * one at a time, when the queue runs dry. The first failure stops the others from taking more
 * (each finishes the item in hand) and is thrown.
 */
export async function steadyPool<T>(
  pages: AsyncIterable<readonly T[]>,
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const source = pages[Symbol.asyncIterator]();
  const queue: T[] = [];
  let exhausted = false;
  let stopped = false;
  let refilling: Promise<void> | null = null;
  const refill = async (): Promise<void> => {
    for (;;) {
      const page = await source.next();
      if (page.done) {
        exhausted = true;
        return;
      }
      if (page.value.length === 0) continue;
      queue.push(...page.value);
      return;
    }
  };
  const next = async (): Promise<{ item: T } | undefined> => {
    while (queue.length === 0 && !exhausted && !stopped) {
      refilling ??= refill().finally(() => (refilling = null));
      await refilling;
    }
    return stopped || queue.length === 0 ? undefined : { item: queue.shift() as T };
  };
  const worker = async (): Promise<void> => {
    for (let taken = await next(); taken; taken = await next()) await work(taken.item);
  };
  const workers = Array.from({ length: Math.max(1, concurrency) }, () =>
    worker().catch((err: unknown) => {
      stopped = true;
      throw err;
    }),
  );
  const failure = (await Promise.allSettled(workers)).find(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failure) throw failure.reason;
}
