import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { codeThrown, input, open, TempDirs } from './helpers.js';

/** A closed ledger with n redemptions, its WAL checkpointed into the main file. */
function ledgerWith(file: string, n: number): void {
  const ledger = open(file);
  for (let i = 0; i < n; i++) ledger.redeem(input(i));
  ledger.close();
}

function overwritePage(file: string, page: number, byte: number): void {
  const fd = fs.openSync(file, 'r+');
  const pageSize = 4096;
  fs.writeSync(fd, Buffer.alloc(pageSize, byte), 0, pageSize, (page - 1) * pageSize);
  fs.closeSync(fd);
}

function rootPage(file: string, table: string): number {
  const raw = new Database(file, { readonly: true });
  const page = raw.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = ?`).pluck().get(table);
  raw.close();
  return Number(page);
}

describe('ledger faults', () => {
  const tmp = new TempDirs();
  afterEach(() => tmp.cleanup());

  it('refuses a file that is not a database, and leaves it untouched', () => {
    const file = tmp.dbPath();
    const garbage = Buffer.from('this is not a ledger\n'.repeat(400));
    fs.writeFileSync(file, garbage);
    assert.throws(() => open(file), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'LEDGER_CORRUPT');
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /left untouched/);
      return true;
    });
    assert.deepEqual(fs.readFileSync(file), garbage);
  });

  it('finds a torn page at open with quick_check, and leaves the file untouched', () => {
    const file = tmp.dbPath();
    ledgerWith(file, 300);
    overwritePage(file, rootPage(file, 'redemptions'), 0xa5);
    const before = fs.readFileSync(file);
    assert.equal(codeThrown(() => open(file)), 'LEDGER_CORRUPT');
    assert.deepEqual(fs.readFileSync(file), before);
  });

  it('on a ledger too big for a full check at open, reports a torn page when it is touched', () => {
    const file = tmp.dbPath();
    ledgerWith(file, 300);
    overwritePage(file, rootPage(file, 'redemptions'), 0xa5);
    const ledger = open(file, { fullCheckMaxBytes: 0 });
    assert.equal(ledger.counts().redemptions, 300, 'the small tables were fine');
    assert.equal(codeThrown(() => ledger.list()), 'LEDGER_CORRUPT');
    assert.equal(codeThrown(() => ledger.redeem(input(1000))), 'LEDGER_CORRUPT');
    assert.notEqual(ledger.integrityCheck(), 'ok');
    ledger.close();
  });

  it('a read-only ledger answers questions and refuses writes with LEDGER_READ_ONLY', () => {
    const file = tmp.dbPath();
    ledgerWith(file, 3);
    const ledger = open(file, { readonly: true });
    assert.equal(ledger.counts().redemptions, 3);
    assert.equal(ledger.find('plat-a', input(2).ctiHex)?.serial, 'SER-2');
    assert.equal(codeThrown(() => ledger.redeem(input(7))), 'LEDGER_READ_ONLY');
    assert.equal(codeThrown(() => ledger.logScan({ at: 1, reason: 'ACCEPTED', textHash: 'aa' })), 'LEDGER_READ_ONLY');
    assert.equal(codeThrown(() => ledger.raiseTrustedTime(2_000_000_000, 'test')), 'LEDGER_READ_ONLY');
    ledger.close();
  });

  it('a ledger file that cannot be written is refused at open, not at the first scan', () => {
    const file = tmp.dbPath();
    ledgerWith(file, 1);
    // query_only makes SQLite answer SQLITE_READONLY, as it does for a file on a read-only mount.
    const readOnly = (db: Database.Database) => db.pragma('query_only = 1');
    assert.equal(codeThrown(() => open(file, { onConnection: readOnly })), 'LEDGER_READ_ONLY');
  });

  it('a full disk records nothing half-way and names the problem', () => {
    const ledger = open(tmp.dbPath(), {
      // No page beyond those the schema already has: the first insert that needs a page fails like ENOSPC.
      onConnection: (db) => db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`),
    });
    let i = 0;
    let code = '';
    for (; i < 1000 && code === ''; i++) {
      try {
        ledger.redeem(input(i));
      } catch (err) {
        code = String((err as { code?: unknown }).code);
        assert.match((err as Error).message, /free space/);
      }
    }
    const failed = i - 1;
    assert.equal(code, 'LEDGER_DISK_FULL');
    assert.equal(ledger.find('plat-a', input(failed).ctiHex), undefined, 'the failed redemption is absent');
    const counts = ledger.counts();
    assert.equal(counts.redemptions, failed);
    assert.equal(counts.pendingUpload, failed);
    assert.equal(counts.notExported, failed);
    assert.equal(ledger.list({ limit: 10_000 }).length, failed);
    const again = ledger.redeem(input(0));
    assert.equal(again.ok, false, 'duplicates are still recognised on a full disk');
    ledger.close();
  });
});
