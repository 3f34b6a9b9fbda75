import { deriveEncryptionKey, type EncryptionKey } from '../../src/config';
import { RecordCipher, SealedRecordError } from '../../src/store/crypto';

const oldKey: EncryptionKey = deriveEncryptionKey(Buffer.alloc(32, 1));
const newKey: EncryptionKey = deriveEncryptionKey(Buffer.alloc(32, 2));
const strangerKey: EncryptionKey = deriveEncryptionKey(Buffer.alloc(32, 3));

const PLAINTEXT = JSON.stringify({
  accessToken: 'eyJaccess-SECRET-token',
  refreshToken: 'eyJrefresh-SECRET-token',
  scope: 'user:read:user user:delete:assistant',
});
const USER = 'user:KDcuGIm1QgePTO8WbOqwIQ';

/** Replaces the first character of part `index` of a sealed record with a different one. */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const part = parts[index] ?? '';
  const first = part[0] === 'A' ? 'B' : 'A';
  parts[index] = first + part.slice(1);
  return parts.join('.');
}

function openError(cipher: RecordCipher, sealed: string, ad: string): SealedRecordError {
  try {
    cipher.open(sealed, ad);
  } catch (err) {
    if (err instanceof SealedRecordError) return err;
    throw err;
  }
  throw new Error('open did not throw');
}

describe('RecordCipher', () => {
  const cipher = new RecordCipher([oldKey]);

  it('opens what it sealed', () => {
    const sealed = cipher.seal(PLAINTEXT, USER);
    expect(cipher.open(sealed, USER)).toBe(PLAINTEXT);
  });

  it('round-trips empty and non-ASCII text', () => {
    for (const text of ['', 'émoji ✓ 🎉']) {
      expect(cipher.open(cipher.seal(text, USER), USER)).toBe(text);
    }
  });

  it('writes v1.<keyId>.<iv>.<body>.<tag> with a 12-byte IV and a 16-byte tag', () => {
    const parts = cipher.seal(PLAINTEXT, USER).split('.');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe(oldKey.id);
    expect(Buffer.from(parts[2] ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[4] ?? '', 'base64url')).toHaveLength(16);
  });

  it('uses a fresh IV for each seal, so sealing the same text twice differs', () => {
    const a = cipher.seal(PLAINTEXT, USER);
    const b = cipher.seal(PLAINTEXT, USER);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('never contains the plaintext or its tokens', () => {
    const sealed = cipher.seal(PLAINTEXT, USER);
    for (const needle of ['SECRET', 'eyJaccess', 'user:delete:assistant', USER]) {
      expect(sealed).not.toContain(needle);
    }
    expect(sealed).not.toContain(Buffer.from(PLAINTEXT).toString('base64url').slice(0, 16));
  });

  it('exposes the current key id', () => {
    expect(cipher.currentKeyId).toBe(oldKey.id);
  });

  it('refuses to be built without a key', () => {
    expect(() => new RecordCipher([])).toThrow('at least one key');
  });

  it.each([
    ['iv', 2],
    ['body', 3],
    ['tag', 4],
  ])('fails to open when the %s is tampered with', (_part, index) => {
    const sealed = cipher.seal(PLAINTEXT, USER);
    const err = openError(cipher, tamper(sealed, index), USER);
    expect(err.message).toBe('record failed authentication');
    expect(err.keyId).toBe(oldKey.id);
  });

  it('fails to open when the key id is changed to an unknown one', () => {
    const sealed = cipher.seal(PLAINTEXT, USER);
    const err = openError(cipher, tamper(sealed, 1), USER);
    expect(err.message).toBe('sealed with an unknown key');
  });

  it('fails to open when the key id is relabelled to another known key', () => {
    const both = new RecordCipher([newKey, oldKey]);
    const sealed = both.seal(PLAINTEXT, USER).replace(`.${newKey.id}.`, `.${oldKey.id}.`);
    expect(() => both.open(sealed, USER)).toThrow(SealedRecordError);
  });

  it("fails to open under another user's associated data", () => {
    const sealed = cipher.seal(PLAINTEXT, USER);
    const err = openError(cipher, sealed, 'user:someoneElse');
    expect(err.message).toBe('record failed authentication');
  });

  it('names the unknown key id when it cannot open a record', () => {
    const sealed = new RecordCipher([strangerKey]).seal(PLAINTEXT, USER);
    const err = openError(cipher, sealed, USER);
    expect(err.name).toBe('SealedRecordError');
    expect(err.message).toBe('sealed with an unknown key');
    expect(err.keyId).toBe(strangerKey.id);
  });

  it.each([
    ['an empty string', ''],
    ['plain JSON', PLAINTEXT],
    ['another version', 'v2.a.b.c.d'],
    ['too few parts', 'v1.abcd.efgh.ijkl'],
    ['too many parts', 'v1.a.b.c.d.e'],
  ])('rejects %s as not a sealed record', (_label, text) => {
    expect(openError(cipher, text, USER).message).toBe('not a sealed record');
  });

  it('rejects a record whose IV is not 12 bytes', () => {
    const parts = cipher.seal(PLAINTEXT, USER).split('.');
    parts[2] = Buffer.alloc(11).toString('base64url');
    const err = openError(cipher, parts.join('.'), USER);
    expect(err.message).toBe('malformed sealed record');
    expect(err.keyId).toBe(oldKey.id);
  });

  it('rejects a truncated tag', () => {
    const parts = cipher.seal(PLAINTEXT, USER).split('.');
    parts[4] = (parts[4] ?? '').slice(0, 10);
    expect(openError(cipher, parts.join('.'), USER).message).toBe('malformed sealed record');
  });
});

describe('RecordCipher key rotation', () => {
  const before = new RecordCipher([oldKey]);
  const after = new RecordCipher([newKey, oldKey]);

  it('opens a record sealed under the old key with the [new, old] key list', () => {
    const sealed = before.seal(PLAINTEXT, USER);
    expect(after.open(sealed, USER)).toBe(PLAINTEXT);
  });

  it('seals new records under the new key', () => {
    expect(after.currentKeyId).toBe(newKey.id);
    expect(RecordCipher.keyIdOf(after.seal(PLAINTEXT, USER))).toBe(newKey.id);
  });

  it('cannot open new records once the new key is dropped', () => {
    const sealed = after.seal(PLAINTEXT, USER);
    expect(openError(before, sealed, USER).keyId).toBe(newKey.id);
  });
});

describe('RecordCipher.keyIdOf', () => {
  it('reads the key id of a sealed record without opening it', () => {
    const sealed = new RecordCipher([oldKey]).seal(PLAINTEXT, USER);
    expect(RecordCipher.keyIdOf(sealed)).toBe(oldKey.id);
  });

  it.each(['', 'plain text', 'v2.abcd1234.a.b.c', 'v1.abcd1234.a.b', PLAINTEXT])(
    'returns null for %p',
    (text) => {
      expect(RecordCipher.keyIdOf(text)).toBeNull();
    },
  );
});
