import type Redis from 'ioredis';

/**
 * Pages of the keys matching `pattern`, one SCAN call at a time: never all keys in memory at
 * once. SCAN may return a key more than once; callers that count must allow for it.
 */
export async function* scanKeys(
  redis: Redis,
  pattern: string,
  count = 200,
): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    if (page.length > 0) yield page;
  } while (cursor !== '0');
}

/** The prefix is configuration; keep any glob character in it literal in a MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
