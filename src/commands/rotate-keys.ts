import { loadConfigOrExit } from '../config';
import { failureLine, lastRedisErrorOf, runCommand } from './command';
import { RecordCipher } from '../store/crypto';
import {
  rotateAssistantEnds,
  rotateRemovalHistories,
  rotateTokenRecords,
  type HistoryRotationReport,
  type RotationReport,
} from '../store/key-rotation';
import { RedisKeys } from '../store/keys';
import { createRedis } from '../store/redis';

/**
 * `npm run rotate-keys`: re-encrypts every token record, removal-history entry and assistant end with the first key of
 * TOKEN_ENCRYPTION_KEY. Exit 0: every record is under the current key (or was changed by the
 * app meanwhile, which writes with it); 2: some records are under a key no longer configured or
 * cannot be opened (listed, left untouched); 1: configuration or Redis error.
 * Prints counts and user ids (not secrets); never a token or key material.
 */

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_NEEDS_ATTENTION = 2;

export function exitCodeFor(report: RotationReport): number {
  return report.unknownKey.length > 0 || report.unreadable.length > 0
    ? EXIT_NEEDS_ATTENTION
    : EXIT_OK;
}

export function formatReport(
  report: RotationReport,
  context: { readonly prefix: string; readonly currentKeyId: string; readonly keyCount: number },
): string[] {
  const lines = [
    `token key rotation: prefix ${context.prefix}, current key ${context.currentKeyId}, ` +
      `${context.keyCount} key${context.keyCount === 1 ? '' : 's'} configured`,
    `  scanned            ${report.scanned}`,
    `  rotated            ${report.rotated}`,
    `  already current    ${report.alreadyCurrent}`,
    `  changed meanwhile  ${report.changedMeanwhile}`,
    `  unknown key        ${report.unknownKey.length}`,
    `  unreadable         ${report.unreadable.length}`,
  ];
  if (report.unknownKey.length > 0) {
    lines.push(
      `records under a key no longer configured (key id ${report.unknownKeyIds.join(', ')}); ` +
        'add that key back to TOKEN_ENCRYPTION_KEY (after the first) and run again, ' +
        'or these users must reconnect:',
      ...report.unknownKey.map((id) => `  ${id}`),
    );
  }
  if (report.unreadable.length > 0) {
    lines.push(
      'records that cannot be opened (left as they are); these users must reconnect:',
      ...report.unreadable.map((id) => `  ${id}`),
    );
  }
  return lines;
}

export function formatHistoryReport(
  h: HistoryRotationReport,
  heading = 'removal histories:',
): string[] {
  return [
    heading,
    `  entries            ${h.entries}`,
    `  rotated            ${h.rotated}`,
    `  already current    ${h.alreadyCurrent}`,
    `  changed meanwhile  ${h.changedMeanwhile}`,
    `  not opened         ${h.notOpened}${h.notOpened > 0 ? '  (under a key no longer configured, or damaged; left as they are)' : ''}`,
  ];
}

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const redis = createRedis(config.redis, 'rotate-keys');
  const lastRedisError = lastRedisErrorOf(redis);
  const cipher = new RecordCipher(config.tokens.encryptionKeys);
  try {
    const keys = new RedisKeys(config.redis.keyPrefix);
    const report = await rotateTokenRecords(redis, keys, cipher);
    const history = await rotateRemovalHistories(redis, keys, cipher);
    const ends = await rotateAssistantEnds(redis, keys, cipher);
    const lines = [
      ...formatReport(report, {
        prefix: config.redis.keyPrefix,
        currentKeyId: cipher.currentKeyId,
        keyCount: config.tokens.encryptionKeys.length,
      }),
      ...formatHistoryReport(history),
      ...formatHistoryReport(ends, 'assistants’ ends:'),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return history.notOpened + ends.notOpened > 0 ? EXIT_NEEDS_ATTENTION : exitCodeFor(report);
  } catch (err) {
    const advice = 'nothing was deleted; records already rotated stay so; run again.';
    process.stderr.write(failureLine('rotate-keys', err, lastRedisError(), advice));
    return EXIT_ERROR;
  } finally {
    // quit() waits for replies in flight; when Redis is unreachable, just drop the connection.
    await redis.quit().catch(() => redis.disconnect());
  }
}

runCommand(module, main, EXIT_ERROR);
