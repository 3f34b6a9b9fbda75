import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config';

/**
 * AES-256-GCM sealing of small records. The format names its key id so that keys can rotate:
 *   v1.<keyId>.<iv>.<ciphertext>.<tag>   (base64url parts)
 * The associated data binds a record to where it belongs (its user), so a sealed value copied
 * under another user's key fails to open.
 */

const VERSION = 'v1';
const IV_BYTES = 12; // 96-bit IV: GCM's native size
const TAG_BYTES = 16;

export class SealedRecordError extends Error {
  constructor(
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
    this.name = 'SealedRecordError';
  }
}

export class RecordCipher {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(keys: readonly EncryptionKey[]) {
    const [first] = keys;
    if (!first) throw new Error('RecordCipher needs at least one key');
    this.current = first;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  hasKey(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, b64(iv), b64(body), b64(tag)].join('.');
  }

  /** The id of the key a sealed value names, without opening it (for key rotation). */
  static keyIdOf(sealed: string): string | null {
    const parts = sealed.split('.');
    return parts.length === 5 && parts[0] === VERSION ? (parts[1] ?? null) : null;
  }

  open(sealed: string, associatedData: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new SealedRecordError('not a sealed record');
    }
    const [, keyId, ivText, bodyText, tagText] = parts as [string, string, string, string, string];
    const key = this.byId.get(keyId);
    if (!key) throw new SealedRecordError('sealed with an unknown key', keyId);
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new SealedRecordError('malformed sealed record', keyId);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(Buffer.from(bodyText, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SealedRecordError('record failed authentication', keyId);
    }
  }
}

function b64(buf: Buffer): string {
  return buf.toString('base64url');
}
