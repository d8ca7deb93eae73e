import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { memoryLogger } from '../../../device/logger.js';
import { SCHEMA_VERSION } from '../../../device/ledger/index.js';
import { assertDurable } from '../../../device/ledger/connection.js';
import { codeThrown, input, open, TempDirs } from './helpers.js';

describe('ledger open', () => {
  const tmp = new TempDirs();
  afterEach(() => tmp.cleanup());

  it('commits with WAL, synchronous=FULL and foreign keys on this connection', () => {
    let seen: unknown[] = [];
    const ledger = open(tmp.dbPath(), {
      onConnection: (db) => {
        seen = ['journal_mode', 'synchronous', 'foreign_keys'].map((p) => db.pragma(p, { simple: true }));
      },
    });
    ledger.close();
    assert.deepEqual(seen, ['wal', 2, 1]);
  });

  it('keeps its data across a reopen', () => {
    const file = tmp.dbPath();
    const first = open(file);
    first.redeem(input(1));
    first.close();
    const again = open(file);
    assert.equal(again.find('plat-a', input(1).ctiHex)?.serial, 'SER-1');
    assert.equal(again.counts().redemptions, 1);
    again.close();
  });

  it('migrates an empty file once, and a reopen migrates nothing', () => {
    const file = tmp.dbPath();
    fs.writeFileSync(file, '');
    const log = memoryLogger();
    open(file, { logger: log.logger }).close();
    open(file, { logger: log.logger }).close();
    const migrated = log.lines.filter((l) => l['msg'] === 'ledger schema migrated');
    assert.equal(migrated.length, SCHEMA_VERSION);
    const raw = new Database(file, { readonly: true });
    const tables = raw.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all();
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    raw.close();
    assert.deepEqual(tables, ['conflicts', 'export_batches', 'export_chunks', 'export_marks', 'meta', 'outbox', 'redemptions', 'revocations', 'scans', 'sync_state', 'tally']);
  });

  it('refuses a ledger written by newer software, read-write or read-only', () => {
    const file = tmp.dbPath();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.equal(codeThrown(() => open(file)), 'LEDGER_SCHEMA_TOO_NEW');
    assert.equal(codeThrown(() => open(file, { readonly: true })), 'LEDGER_SCHEMA_TOO_NEW');
    const after = new Database(file, { readonly: true });
    assert.equal(after.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1, 'left as it was');
    after.close();
  });

  it('refuses storage where WAL is impossible (an in-memory database)', () => {
    assert.equal(codeThrown(() => open(':memory:')), 'LEDGER_NOT_DURABLE');
  });

  it('reads the pragmas back rather than trusting that setting them worked', () => {
    const file = tmp.dbPath();
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    assert.equal(codeThrown(() => assertDurable(raw, file)), 'LEDGER_NOT_DURABLE');
    raw.pragma('synchronous = FULL');
    assertDurable(raw, file);
    raw.pragma('journal_mode = DELETE');
    assert.equal(codeThrown(() => assertDurable(raw, file)), 'LEDGER_NOT_DURABLE');
    raw.close();
  });

  it('reports a missing directory, or a missing file when it must exist, as LEDGER_OPEN_FAILED', () => {
    const dir = tmp.make();
    assert.equal(codeThrown(() => open(path.join(dir, 'nope', 'ledger.db'))), 'LEDGER_OPEN_FAILED');
    const file = path.join(dir, 'ledger.db');
    assert.equal(codeThrown(() => open(file, { mustExist: true })), 'LEDGER_OPEN_FAILED');
    assert.equal(fs.existsSync(file), false, 'no empty ledger was created');
    assert.equal(codeThrown(() => open(dir)), 'LEDGER_OPEN_FAILED');
  });

  it('names the path and the remedy in the message', () => {
    const file = path.join(tmp.make(), 'missing', 'ledger.db');
    assert.throws(() => open(file), (err: Error) => err.message.includes(file) && /kiosk service user/.test(err.message));
  });
});
