import { primariesOf, type RedisClient } from './redis';

/**
 * Pages of the keys matching `pattern`, one SCAN call at a time, on every primary in turn (a
 * cluster's keys are spread over its primaries): never all keys in memory at once. SCAN may
 * return a key more than once; callers that count must allow for it.
 */
export async function* scanKeys(
  client: RedisClient,
  pattern: string,
  count = 200,
): AsyncGenerator<string[]> {
  for (const node of await primariesOf(client)) {
    let cursor = '0';
    do {
      const [next, page] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (page.length > 0) yield page;
    } while (cursor !== '0');
  }
}

/** The prefix is configuration; keep any glob character in it literal in a MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
