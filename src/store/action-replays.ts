import {
  REPLAY_TTL_MS,
  type ActionOutcome,
  type ActionReplays,
  type Replay,
} from '../zoom/actions/action';
import type { RecordCipher } from './crypto';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis';

/** A claim whose request vanished (a crash) no longer holds after this long. */
const RUNNING_LIMIT_MS = 2 * 60_000;

// Claims the field unless another live claim or an outcome is there; returns what was there.
// ARGV: field, 'running:<now>', now, running limit, TTL.
const CLAIM = `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held and string.sub(held, 1, 8) == 'running:' then
  if tonumber(ARGV[3]) - tonumber(string.sub(held, 9)) > tonumber(ARGV[4]) then held = false end
end
if held then return held end
if redis.call('EXISTS', KEYS[2]) == 0 then return 'gone' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return false`;

const KEEP_IF_CLAIMED = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

export class RedisActionReplays implements ActionReplays {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly cipher: RecordCipher,
  ) {}

  async claim(userId: string, intent: string, now: number): Promise<Replay> {
    const held = (await this.redis.eval(
      CLAIM,
      2,
      this.keys.replays(userId),
      this.keys.grantRecord(userId),
      intent,
      `running:${now}`,
      now,
      RUNNING_LIMIT_MS,
      REPLAY_TTL_MS,
    )) as string | null;
    if (held === null) return { kind: 'claimed' };
    if (held === 'gone')
      return { kind: 'done', outcome: { kind: 'grant_ended', reconnect: false } };
    if (held.startsWith('running:')) return { kind: 'running' };
    try {
      const outcome = JSON.parse(this.cipher.open(held, ad(userId, intent))) as ActionOutcome;
      return { kind: 'done', outcome };
    } catch {
      return { kind: 'running' }; // unreadable (a rotated key): never acted on twice
    }
  }

  async keep(userId: string, intent: string, outcome: ActionOutcome): Promise<void> {
    const sealed = this.cipher.seal(JSON.stringify(outcome), ad(userId, intent));
    await this.redis.eval(KEEP_IF_CLAIMED, 1, this.keys.replays(userId), intent, sealed);
  }

  async release(userId: string, intent: string): Promise<void> {
    await this.redis.hdel(this.keys.replays(userId), intent);
  }
}

function ad(userId: string, intent: string): string {
  return `replay:${userId}:${intent}`;
}
