import type { RedisClient } from './redis';
import { RecordCipher, SealedRecordError } from './crypto';
import type { RedisKeys } from './keys';
import { removalAssociatedData } from './ledger';
import { endAssociatedData } from './assistant-ends';
import { escapeGlob, scanKeys } from './scan';
import { tokenRecordAssociatedData } from './token-store';

/**
 * Re-encrypts every sealed record — token records and removal-history entries — with the newest key, so an old key can then be removed from
 * TOKEN_ENCRYPTION_KEY. Safe while the app serves traffic and safe to run again: a record is
 * only replaced if it still holds the value that was read, and nothing is ever deleted.
 */

export interface RotationReport {
  /** Distinct token keys seen; the sum of all the outcomes below. */
  scanned: number;
  rotated: number;
  alreadyCurrent: number;
  /** User ids whose record names a key that is no longer configured. Left as they are. */
  unknownKey: string[];
  /** The distinct ids of those keys (public ids, not key material): which key to restore. */
  unknownKeyIds: string[];
  /** User ids whose record cannot be opened (not sealed, tampered, moved). Left as they are. */
  unreadable: string[];
  /** Records the app rewrote or deleted between our read and write (it writes with the new key). */
  changedMeanwhile: number;
}

export interface RotationOptions {
  /** SCAN's COUNT hint. */
  readonly scanCount?: number;
  /** Runs after a record is re-sealed, before it is written back: for tests, to race a write. */
  readonly beforeWrite?: (userId: string) => Promise<void>;
}

// Compare-and-set: a refresh that rewrote the record since we read it wins (its tokens are the
// live ones; Zoom has already killed the refresh token we hold), and a record deleted meanwhile
// (GET is nil) is not brought back. KEEPTTL: rotation is not use, so it must not extend a grant.
const SET_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
return 0`;

const DEFAULT_SCAN_COUNT = 200;

type Stored =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'notString' };

type Outcome =
  | { readonly kind: 'rotated' | 'alreadyCurrent' | 'changedMeanwhile' | 'unreadable' }
  | { readonly kind: 'unknownKey'; readonly keyId: string };

export async function rotateTokenRecords(
  redis: RedisClient,
  keys: RedisKeys,
  cipher: RecordCipher,
  opts: RotationOptions = {},
): Promise<RotationReport> {
  const base = keys.grantRecordPrefix;
  const pattern = `${escapeGlob(base)}*`;
  const count = opts.scanCount ?? DEFAULT_SCAN_COUNT;
  const report: RotationReport = {
    scanned: 0,
    rotated: 0,
    alreadyCurrent: 0,
    unknownKey: [],
    unknownKeyIds: [],
    unreadable: [],
    changedMeanwhile: 0,
  };
  // SCAN may return a key more than once; count and handle each once.
  const seen = new Set<string>();
  for await (const page of scanKeys(redis, pattern, count)) {
    const fresh = page.filter((k) => !seen.has(k));
    for (const k of fresh) seen.add(k);
    if (fresh.length === 0) continue;
    const stored = await readAll(redis, fresh);
    for (const [i, key] of fresh.entries()) {
      const userId = keys.userIdIn(key, base);
      if (userId === null) continue; // not a key this app made
      const outcome = await rotateOne(redis, cipher, key, userId, stored[i], opts);
      report.scanned += 1;
      switch (outcome.kind) {
        case 'unknownKey':
          report.unknownKey.push(userId);
          if (!report.unknownKeyIds.includes(outcome.keyId)) {
            report.unknownKeyIds.push(outcome.keyId);
          }
          break;
        case 'unreadable':
          report.unreadable.push(userId);
          break;
        default:
          report[outcome.kind] += 1;
      }
    }
  }
  return report;
}

async function rotateOne(
  redis: RedisClient,
  cipher: RecordCipher,
  key: string,
  userId: string,
  stored: Stored | undefined,
  opts: RotationOptions,
): Promise<Outcome> {
  // Deleted between SCAN and GET: the app deleted it (disconnect, uninstall).
  if (!stored || stored.kind === 'missing') return { kind: 'changedMeanwhile' };
  if (stored.kind === 'notString') return { kind: 'unreadable' };
  const sealed = stored.value;
  const keyId = RecordCipher.keyIdOf(sealed);
  if (keyId === null) return { kind: 'unreadable' };
  if (keyId === cipher.currentKeyId) return { kind: 'alreadyCurrent' };
  if (!cipher.hasKey(keyId)) return { kind: 'unknownKey', keyId };

  const ad = tokenRecordAssociatedData(userId);
  let plaintext: string;
  try {
    plaintext = cipher.open(sealed, ad);
  } catch (err) {
    if (!(err instanceof SealedRecordError)) throw err;
    return { kind: 'unreadable' };
  }
  // The plaintext is re-sealed as is: rotation changes the key, never the record.
  const resealed = cipher.seal(plaintext, ad);
  await opts.beforeWrite?.(userId);
  const written = await redis.eval(SET_IF_EQUAL, 1, key, sealed, resealed);
  return written === 1 ? { kind: 'rotated' } : { kind: 'changedMeanwhile' };
}

/**
 * One GET per key, sent together (auto-pipelined, per node on a cluster: an explicit pipeline
 * must stay in one slot there). A key that is not a string is reported, not an error.
 */
async function readAll(redis: RedisClient, keys: readonly string[]): Promise<Stored[]> {
  return Promise.all(
    keys.map((k) =>
      redis.get(k).then(
        (value): Stored => (value === null ? { kind: 'missing' } : { kind: 'value', value }),
        (err: unknown): Stored => {
          if (err instanceof Error && err.message.startsWith('WRONGTYPE')) {
            return { kind: 'notString' };
          }
          throw err;
        },
      ),
    ),
  );
}

// The same compare-and-set for one entry of a removal history.
const HSET_IF_EQUAL = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0`;

export interface HistoryRotationReport {
  /** History entries seen (each removal of each user). */
  entries: number;
  rotated: number;
  alreadyCurrent: number;
  changedMeanwhile: number;
  /** Entries under a key no longer configured, or that cannot be opened: left as they are. */
  notOpened: number;
}

/**
 * Re-encrypts every entry of every removal history with the newest key, like the token
 * records: an entry is replaced only if it still holds what was read, nothing is deleted.
 */
export function rotateRemovalHistories(
  redis: RedisClient,
  keys: RedisKeys,
  cipher: RecordCipher,
  opts: Pick<RotationOptions, 'scanCount'> = {},
): Promise<HistoryRotationReport> {
  return rotateSealedHashes(redis, keys, cipher, keys.historyPrefix, removalAssociatedData, opts);
}

/** The same for every user's assistants' ends (they may live for months, past a key's use). */
export function rotateAssistantEnds(
  redis: RedisClient,
  keys: RedisKeys,
  cipher: RecordCipher,
  opts: Pick<RotationOptions, 'scanCount'> = {},
): Promise<HistoryRotationReport> {
  return rotateSealedHashes(redis, keys, cipher, keys.endsPrefix, endAssociatedData, opts);
}

/** Per-user hashes of sealed entries (`base{id}`), each sealed to (user, field). */
async function rotateSealedHashes(
  redis: RedisClient,
  keys: RedisKeys,
  cipher: RecordCipher,
  base: string,
  associatedData: (userId: string, field: string) => string,
  opts: Pick<RotationOptions, 'scanCount'>,
): Promise<HistoryRotationReport> {
  const report: HistoryRotationReport = {
    entries: 0,
    rotated: 0,
    alreadyCurrent: 0,
    changedMeanwhile: 0,
    notOpened: 0,
  };
  const seen = new Set<string>();
  for await (const page of scanKeys(redis, `${escapeGlob(base)}*`, opts.scanCount)) {
    for (const key of page.filter((k) => !seen.has(k))) {
      seen.add(key);
      const userId = keys.userIdIn(key, base);
      if (userId === null) continue;
      for (const [field, sealed] of Object.entries(await redis.hgetall(key))) {
        report.entries += 1;
        const keyId = RecordCipher.keyIdOf(sealed);
        if (keyId === cipher.currentKeyId) {
          report.alreadyCurrent += 1;
          continue;
        }
        const ad = associatedData(userId, field);
        let plaintext: string;
        try {
          if (keyId === null || !cipher.hasKey(keyId)) throw new SealedRecordError('unknown key');
          plaintext = cipher.open(sealed, ad);
        } catch (err) {
          if (!(err instanceof SealedRecordError)) throw err;
          report.notOpened += 1;
          continue;
        }
        const n = await redis.eval(
          HSET_IF_EQUAL,
          1,
          key,
          field,
          sealed,
          cipher.seal(plaintext, ad),
        );
        if (n === 1) report.rotated += 1;
        else report.changedMeanwhile += 1;
      }
    }
  }
  return report;
}
