import { AccountRestingError } from '../../src/zoom/pace';
import { PacedZoom } from '../../src/zoom/paced';

/** Time that moves only when every waiter is asleep: each sleep wakes exactly on its time. */
class FakeTime {
  t = Date.parse('2026-12-07T10:00:00Z');
  private timers: { at: number; wake: () => void }[] = [];
  readonly now = (): number => this.t;
  readonly sleep = (ms: number): Promise<void> =>
    new Promise((wake) => this.timers.push({ at: this.t + ms, wake }));

  /** Runs the timers in order until `done` settles. */
  async run<T>(done: Promise<T>): Promise<T> {
    let settled = false;
    const result = done.finally(() => (settled = true));
    for (;;) {
      await flush();
      if (settled || this.timers.length === 0) break;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.wake();
    }
    return result;
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function paced(time: FakeTime, callsPerSecond: number, restPerSecondPerAccount = Infinity) {
  return new PacedZoom({
    callsPerSecond,
    restPerSecondPerAccount,
    now: time.now,
    sleep: time.sleep,
  });
}

/** When each of `n` concurrent acquires was let through, relative to the start. */
async function startTimes(
  time: FakeTime,
  pace: PacedZoom,
  calls: readonly (readonly ['token' | 'rest', string?])[],
): Promise<number[]> {
  const t0 = time.t;
  const at: number[] = [];
  await time.run(
    Promise.all(
      calls.map(async ([kind, account], i) => {
        await pace.acquire(kind, account);
        at[i] = time.t - t0;
      }),
    ),
  );
  return at;
}

describe('PacedZoom', () => {
  it('spaces the run’s calls evenly at the ceiling, token and REST alike', async () => {
    const time = new FakeTime();
    const pace = paced(time, 10);
    const at = await startTimes(time, pace, [
      ['token'],
      ['token'],
      ['rest', 'a'],
      ['token'],
      ['rest', 'b'],
    ]);
    // A REST call passes its account's queue first, so the order may differ; the spacing not.
    expect([...at].sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400]);
    expect(pace.calls).toMatchObject({ token: 3, rest: 2 });
  });

  it('keeps no burst for later: a call after a quiet spell goes at once, the next one slot later', async () => {
    const time = new FakeTime();
    const pace = paced(time, 4);
    await startTimes(time, pace, [['token']]);
    time.t += 10_000;
    expect(await startTimes(time, pace, [['token'], ['token'], ['token']])).toEqual([0, 250, 500]);
  });

  it('holds one account to its own ceiling while other accounts use the run’s slots', async () => {
    const time = new FakeTime();
    const pace = paced(time, 10, 2);
    const at = await startTimes(time, pace, [
      ['rest', 'busy'],
      ['rest', 'busy'],
      ['rest', 'busy'],
      ['rest', 'other'],
      ['rest', 'third'],
    ]);
    // busy: every 500 ms; the others take the run's next slots meanwhile.
    expect(at).toEqual([0, 500, 1000, 100, 200]);
  });

  it('no ceiling: every call at once', async () => {
    const time = new FakeTime();
    const pace = paced(time, Infinity);
    expect(await startTimes(time, pace, [['token'], ['token'], ['rest', 'a']])).toEqual([0, 0, 0]);
  });

  it('honours Retry-After for the account it came from, and only that account', async () => {
    const time = new FakeTime();
    const pace = paced(time, 10, 10);
    await startTimes(time, pace, [['rest', 'a']]);
    time.t += 1000;
    pace.rateLimited('rest', { retryAfterSeconds: 3 }, 'a');
    expect(
      await startTimes(time, pace, [
        ['rest', 'a'],
        ['rest', 'b'],
      ]),
    ).toEqual([3000, 0]);
  });

  it('a 429 from the token endpoint holds the whole run', async () => {
    const time = new FakeTime();
    const pace = paced(time, 10);
    pace.rateLimited('token', { retryAfterSeconds: 2 });
    expect(await startTimes(time, pace, [['token'], ['rest', 'a']])).toEqual([2000, 2100]);
  });

  it('a daily limit stops calls to that account until 00:00 UTC, then lets them through', async () => {
    const time = new FakeTime(); // 10:00 UTC
    const pace = paced(time, 10, 10);
    pace.rateLimited('rest', { retryAfterSeconds: 1, daily: true }, 'a');
    const refused = pace.acquire('rest', 'a');
    await expect(refused).rejects.toBeInstanceOf(AccountRestingError);
    await expect(refused).rejects.toMatchObject({ until: Date.parse('2026-12-08T00:00:00Z') });
    // Another account is not held, and a refused caller does not block the account's queue.
    expect(await startTimes(time, pace, [['rest', 'b']])).toEqual([0]);
    time.t = Date.parse('2026-12-08T00:00:00Z');
    expect(await startTimes(time, pace, [['rest', 'a']])).toEqual([0]);
  });
});
