import assert from 'node:assert/strict';
import { classify, toLedgerError } from '../../../device/ledger/errors.js';
import { LedgerError } from '../../../device/ledger/index.js';

function coded(code: string): Error {
  return Object.assign(new Error(`failure ${code}`), { code });
}

describe('ledger error mapping', () => {
  const table: [string, string | undefined][] = [
    ['SQLITE_FULL', 'LEDGER_DISK_FULL'],
    ['ENOSPC', 'LEDGER_DISK_FULL'],
    ['SQLITE_READONLY', 'LEDGER_READ_ONLY'],
    ['SQLITE_READONLY_DBMOVED', 'LEDGER_READ_ONLY'],
    ['EACCES', 'LEDGER_READ_ONLY'],
    ['EROFS', 'LEDGER_READ_ONLY'],
    ['SQLITE_CANTOPEN', 'LEDGER_OPEN_FAILED'],
    ['SQLITE_CANTOPEN_ISDIR', 'LEDGER_OPEN_FAILED'],
    ['SQLITE_CORRUPT', 'LEDGER_CORRUPT'],
    ['SQLITE_CORRUPT_INDEX', 'LEDGER_CORRUPT'],
    ['SQLITE_NOTADB', 'LEDGER_CORRUPT'],
    ['SQLITE_IOERR_WRITE', undefined],
    ['SQLITE_IOERR_SHMSIZE', 'LEDGER_DISK_FULL'],
    ['SQLITE_BUSY', 'LEDGER_BUSY'],
    ['SQLITE_BUSY_SNAPSHOT', 'LEDGER_BUSY'],
  ];
  for (const [sqlite, expected] of table) {
    it(`${sqlite} → ${expected ?? 'the caller’s fallback'}`, () => {
      assert.equal(classify(coded(sqlite)), expected);
      const wrapped = toLedgerError(coded(sqlite), '/var/lib/k/ledger.db', 'LEDGER_WRITE_FAILED');
      assert.equal(wrapped.code, expected ?? 'LEDGER_WRITE_FAILED');
      assert.ok(wrapped.message.startsWith('ledger /var/lib/k/ledger.db: '), wrapped.message);
      assert.ok(wrapped.message.includes(sqlite), 'the SQLite code is kept for support');
    });
  }

  it('passes a LedgerError through unchanged', () => {
    const original = new LedgerError('LEDGER_NOT_DURABLE', 'x');
    assert.equal(toLedgerError(original, '/p', 'LEDGER_WRITE_FAILED'), original);
  });

  it('keeps the original error as the cause', () => {
    const cause = coded('SQLITE_FULL');
    assert.equal(toLedgerError(cause, '/p', 'LEDGER_WRITE_FAILED').cause, cause);
  });
});
