import {
  EXIT_NEEDS_ATTENTION,
  EXIT_OK,
  exitCodeFor,
  formatReport,
} from '../../src/commands/rotate-keys';
import { deriveEncryptionKey } from '../../src/config';
import { RecordCipher } from '../../src/store/crypto';
import { type RotationReport } from '../../src/store/key-rotation';
import { escapeGlob } from '../../src/store/scan';
import { tokenRecordAssociatedData } from '../../src/store/token-store';

const clean: RotationReport = {
  scanned: 4,
  rotated: 2,
  alreadyCurrent: 1,
  unknownKey: [],
  unknownKeyIds: [],
  unreadable: [],
  changedMeanwhile: 1,
};
const context = { prefix: 'zar:', currentKeyId: 'abcd1234', keyCount: 2 };

describe('rotate-keys report', () => {
  it('prints the counts, and no user list when nothing needs attention', () => {
    expect(formatReport(clean, context)).toEqual([
      'token key rotation: prefix zar:, current key abcd1234, 2 keys configured',
      '  scanned            4',
      '  rotated            2',
      '  already current    1',
      '  changed meanwhile  1',
      '  unknown key        0',
      '  unreadable         0',
    ]);
    expect(exitCodeFor(clean)).toBe(EXIT_OK);
  });

  it('lists the user ids under an unknown key (with the key ids) and the unreadable ones', () => {
    const report: RotationReport = {
      ...clean,
      scanned: 7,
      unknownKey: ['u-lost-1', 'u-lost-2'],
      unknownKeyIds: ['9f8e7d6c'],
      unreadable: ['u-bad'],
    };
    const lines = formatReport(report, { ...context, keyCount: 1 });
    expect(lines[0]).toContain('1 key configured');
    expect(lines).toContain('  unknown key        2');
    expect(lines).toContain('  unreadable         1');
    expect(lines.join('\n')).toContain('key id 9f8e7d6c');
    const tail = lines.slice(-5);
    expect(tail[0]).toContain('no longer configured');
    expect(tail.slice(1, 3)).toEqual(['  u-lost-1', '  u-lost-2']);
    expect(tail[3]).toContain('cannot be opened');
    expect(tail[4]).toBe('  u-bad');
    expect(exitCodeFor(report)).toBe(EXIT_NEEDS_ATTENTION);
    expect(exitCodeFor({ ...clean, unreadable: ['u-bad'] })).toBe(EXIT_NEEDS_ATTENTION);
  });
});

describe('key rotation helpers', () => {
  it('keeps glob characters of a prefix literal in the SCAN pattern', () => {
    expect(escapeGlob('zar:tokens:')).toBe('zar:tokens:');
    expect(escapeGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
  });

  it('binds a record to its user with the associated data the token store uses', () => {
    const cipher = new RecordCipher([deriveEncryptionKey(Buffer.alloc(32, 7))]);
    const sealed = cipher.seal('{}', 'token-record:u1');
    expect(cipher.open(sealed, tokenRecordAssociatedData('u1'))).toBe('{}');
    expect(() => cipher.open(sealed, tokenRecordAssociatedData('u2'))).toThrow();
  });
});
