import type { RedisClient } from '../store/redis';

/** What every one-off command shares: its Redis errors kept for its last line, its exit. */

/**
 * Without a listener ioredis prints every reconnect failure; this keeps the last one, which
 * often says more than the command's own error ("ECONNREFUSED" behind "Connection is closed").
 */
export function lastRedisErrorOf(...clients: RedisClient[]): () => string | undefined {
  let last: string | undefined;
  for (const client of clients) client.on('error', (err: Error) => (last = err.message));
  return () => last;
}

/** "<name> failed: <why> (redis: <its last error>)", then what to do, as the command's last line. */
export function failureLine(
  name: string,
  err: unknown,
  lastRedisError: string | undefined,
  advice: string,
): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = lastRedisError && lastRedisError !== message ? ` (redis: ${lastRedisError})` : '';
  return `${name} failed: ${message}${cause}\n${advice}\n`;
}

/** Runs `main` when the file is the process's entry; its result is the exit code. */
export function runCommand(entry: NodeModule, main: () => Promise<number>, fatalCode = 1): void {
  if (require.main !== entry) return;
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`fatal: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = fatalCode;
    },
  );
}
