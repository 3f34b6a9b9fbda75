import { createHmac, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

/**
 * Sessions written straight into Redis in the format the app uses (express-session through
 * connect-redis: key `${prefix}sess:<id>`, the session as JSON, EX = its cookie's life), with
 * the cookie a browser would hold for each (`s:<id>.<HMAC-SHA256>`, as cookie-signature signs).
 */

export const SESSION_COOKIE = 'zar.sid';

export function signedCookieValue(sessionId: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(sessionId).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${sessionId}.${mac}`);
}

/** The session id inside a cookie value the app set. */
export function sessionIdOf(cookieValue: string): string {
  const raw = decodeURIComponent(cookieValue);
  if (!raw.startsWith('s:')) throw new Error('not a signed session cookie');
  return raw.slice(2, raw.lastIndexOf('.'));
}

export interface SeededSessions {
  /** `zar.sid=...` header values, one per session. */
  readonly cookies: string[];
  readonly bytesPerSession: number;
}

/**
 * Copies a real signed-in session (`templateId`) to `count` new ids, in pipelined batches.
 * Each copy is a complete, warm session: the same user, CSRF token and seen-at.
 */
export async function seedSessions(
  redis: Redis,
  sessionPrefix: string,
  templateId: string,
  secret: string,
  count: number,
): Promise<SeededSessions> {
  const key = `${sessionPrefix}${templateId}`;
  const [template, ttl] = await Promise.all([redis.get(key), redis.ttl(key)]);
  if (template === null || ttl <= 0) throw new Error('template session not found in Redis');
  const cookies: string[] = [];
  const batch = 1_000;
  for (let start = 0; start < count; start += batch) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const id = randomBytes(24).toString('base64url');
      pipeline.set(`${sessionPrefix}${id}`, template, 'EX', ttl);
      cookies.push(`${SESSION_COOKIE}=${signedCookieValue(id, secret)}`);
    }
    await pipeline.exec();
  }
  return { cookies, bytesPerSession: Buffer.byteLength(template) };
}
