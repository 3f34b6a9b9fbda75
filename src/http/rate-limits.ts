import { createHmac } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import type { Config } from '../config';
import { PAGE } from './copy';
import { renderMessage } from './pages';

/**
 * Rate limits shared by all processes (counters in Redis): the install round trip per IP,
 * the assistant actions per signed-in user, and badly signed webhook calls per IP. A limited
 * request gets a 429 with Retry-After.
 */

export interface RateLimits {
  readonly install: RequestHandler;
  /** The OAuth callback: its own budget, so a user who consented is not refused on return. */
  readonly callback: RequestHandler;
  readonly actions: RequestHandler;
  /**
   * Counts a webhook call whose signature failed; the wait in seconds once over the limit.
   * Only failures count: a correctly signed event is never turned away (a whole organisation
   * removing the app sends hundreds at once, from one address).
   */
  readonly badWebhook: (req: Request) => Promise<number | null>;
}

/** Fixed-window hit counters shared by every process. */
export interface RateCounters {
  hit(
    name: string,
    windowMs: number,
  ): Promise<{ readonly count: number; readonly resetAt: number }>;
  undo(name: string): Promise<void>;
  reset(name: string): Promise<void>;
  /** The counter of a user's actions: deleted with everything else of the user. */
  userActions(userId: string): string;
}

class CounterStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly counters: RateCounters,
    readonly prefix: string,
  ) {}

  init(options: { windowMs: number }): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<{ totalHits: number; resetTime: Date }> {
    const { count, resetAt } = await this.counters.hit(this.prefix + key, this.windowMs);
    return { totalHits: count, resetTime: new Date(resetAt) };
  }

  async decrement(key: string): Promise<void> {
    await this.counters.undo(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.counters.reset(this.prefix + key);
  }
}

/**
 * The client's address (an IPv6 /56) as a counter name: keyed-hashed, so a key name is short
 * whatever a forwarded header held, and Redis keeps no address in the clear.
 */
function addressKeys(secret: string): (req: Request) => string {
  return (req) =>
    createHmac('sha256', secret)
      .update(`rate-limit-address:${ipKeyGenerator(req.ip ?? 'unknown')}`)
      .digest('base64url')
      .slice(0, 22);
}

const MINUTE_MS = 60_000;
/** How long each counter lives (README "Data we keep" is made from these). */
export const RATE_LIMIT_WINDOWS_MS = {
  install: 10 * MINUTE_MS,
  callback: 10 * MINUTE_MS,
  actions: MINUTE_MS,
  badWebhook: MINUTE_MS,
} as const;

/** @param addressSecret keys the hash that names each client address's counters */
export function rateLimits(
  limits: Config['rateLimits'],
  counters: RateCounters,
  addressSecret: string,
): RateLimits {
  const byIp = addressKeys(addressSecret);
  const make = (
    name: string,
    windowMs: number,
    limit: number,
    keyGenerator: (req: Request) => string,
  ): RequestHandler =>
    rateLimit({
      windowMs,
      limit,
      keyGenerator,
      store: new CounterStore(counters, `${name}:`),
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      // Redis away: the error reaches the error pages (503), rather than letting all through.
      passOnStoreError: false,
      // Our key generators already handle IPv6 subnets; trust proxy is TRUST_PROXY's, on purpose.
      validate: { trustProxy: false, xForwardedForHeader: false },
      handler: (req, res) => {
        const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit
          ?.resetTime;
        const wait = Math.max(
          1,
          Math.ceil(((resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000),
        );
        res.set('Retry-After', String(wait));
        renderMessage(res, 429, PAGE.tooManyRequests(wait));
      },
    });

  const windows = RATE_LIMIT_WINDOWS_MS;
  return {
    install: make('install', windows.install, limits.installPerIpPer10Minutes, byIp),
    callback: make('callback', windows.callback, limits.installPerIpPer10Minutes, byIp),
    actions: make('actions', windows.actions, limits.actionsPerUserPerMinute, (req) =>
      req.session?.user ? counters.userActions(req.session.user.id) : `ip:${byIp(req)}`,
    ),
    badWebhook: async (req) => {
      const hit = await counters.hit(`webhook-bad:${byIp(req)}`, windows.badWebhook);
      if (hit.count <= limits.webhookPerIpPerMinute) return null;
      return Math.max(1, Math.ceil((hit.resetAt - Date.now()) / 1000));
    },
  };
}
