import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseConfig } from '../../device/config.js';
import { homePaths, type HomePaths } from '../../device/home.js';
import { openHomeLedger, openHomeLedgerReadOnly, planLedger } from '../../device/home-ledger.js';
import { readHomeRecord } from '../../device/home-record.js';
import { openLedger } from '../../device/ledger/index.js';
import { silentLogger } from '../../device/logger.js';
import { codeThrown, input } from './ledger/helpers.js';
import { removeDir, tempDir } from './helpers.js';

const logger = silentLogger();

describe('device/home-ledger: the home owns one ledger', () => {
  let dir: string;
  let paths: HomePaths;
  const config = (raw: Record<string, unknown> = {}) => parseConfig(raw, { home: dir });
  const open = (raw: Record<string, unknown> = {}) => openHomeLedger(paths, config(raw), { logger });
  const rmLedger = (file = path.join(dir, 'ledger.sqlite')) => ['', '-wal', '-shm'].forEach((s) => rmSync(file + s, { force: true }));

  beforeEach(() => {
    dir = tempDir();
    paths = homePaths(dir);
  });
  afterEach(() => removeDir(dir));

  it('a new home gets a ledger with an identity, recorded in home.json and in the ledger, readable by the owner only', () => {
    const ledger = open();
    const identity = ledger.identity();
    ledger.close();
    const record = readHomeRecord(paths);
    assert.ok(identity && record);
    assert.match(identity.id, /^[0-9a-f]{32}$/);
    assert.deepEqual(record.ledger, { id: identity.id, path: 'ledger.sqlite', created: new Date(identity.createdMs).toISOString() });
    assert.equal(statSync(path.join(dir, 'ledger.sqlite')).mode & 0o777, 0o600);
    assert.equal(statSync(paths.record).mode & 0o777, 0o600);
    assert.deepEqual(readdir(dir), ['home.json', 'ledger.sqlite'], 'no temporary file left behind');
  });

  it('a 0-byte ledger, once a ledger existed, is LEDGER_LOST, never a new empty ledger', () => {
    const first = open();
    first.redeem(input(1));
    first.close();
    rmLedger();
    writeFileSync(path.join(dir, 'ledger.sqlite'), '');
    assert.equal(codeThrown(() => open()), 'LEDGER_LOST');
    assert.equal(statSync(path.join(dir, 'ledger.sqlite')).size, 0, 'left untouched');
    assert.equal(codeThrown(() => openHomeLedgerReadOnly(paths, config(), { logger })), 'LEDGER_LOST');
  });

  it('deleting ledger.sqlite* does not delete the knowledge that a ledger existed', () => {
    open().close();
    rmLedger();
    assert.equal(codeThrown(() => open()), 'LEDGER_LOST');
    assert.equal(existsSync(path.join(dir, 'ledger.sqlite')), false, 'nothing created');
  });

  it('another ledger in its place (a copy from another kiosk, or an empty database) is LEDGER_MISMATCH / LEDGER_LOST', () => {
    open().close();
    const other = tempDir();
    try {
      openHomeLedger(homePaths(other), parseConfig({}, { home: other }), { logger }).close();
      rmLedger();
      copyFileSync(path.join(other, 'ledger.sqlite'), path.join(dir, 'ledger.sqlite'));
      assert.equal(codeThrown(() => open()), 'LEDGER_MISMATCH');
      rmLedger();
      new Database(path.join(dir, 'ledger.sqlite')).exec('CREATE TABLE t (x)');
      assert.equal(codeThrown(() => open()), 'LEDGER_MISMATCH');
    } finally {
      removeDir(other);
    }
  });

  it('a changed ledgerPath, or a lost config.json, never starts an empty ledger', () => {
    mkdirSync(path.join(dir, 'data'));
    open({ ledgerPath: 'data/ledger.sqlite' }).close();
    assert.equal(codeThrown(() => open()), 'LEDGER_PATH_MISMATCH', 'config.json lost: the default path');
    assert.equal(codeThrown(() => open({ ledgerPath: 'other.sqlite' })), 'LEDGER_PATH_MISMATCH');
    assert.equal(existsSync(path.join(dir, 'ledger.sqlite')), false);
    assert.equal(existsSync(path.join(dir, 'other.sqlite')), false);
  });

  it('a ledger moved by a technician (files moved, ledgerPath changed) is found by its identity; home.json follows', () => {
    const first = open();
    first.redeem(input(1));
    const id = first.identity()?.id;
    first.close();
    mkdirSync(path.join(dir, 'data'));
    renameSync(path.join(dir, 'ledger.sqlite'), path.join(dir, 'data', 'moved.sqlite'));
    const moved = open({ ledgerPath: 'data/moved.sqlite' });
    assert.equal(moved.counts().redemptions, 1);
    moved.close();
    assert.deepEqual(readHomeRecord(paths)?.ledger.path, path.join('data', 'moved.sqlite'));
    assert.equal(readHomeRecord(paths)?.ledger.id, id);
  });

  it('a copy under another name while the ledger is still in place (an old backup?) is never switched to', () => {
    const first = open();
    first.redeem(input(1));
    first.close();
    copyFileSync(path.join(dir, 'ledger.sqlite'), path.join(dir, 'copy.sqlite'));
    assert.equal(codeThrown(() => open({ ledgerPath: 'copy.sqlite' })), 'LEDGER_PATH_MISMATCH');
    assert.equal(readHomeRecord(paths)?.ledger.path, 'ledger.sqlite');
  });

  it('keeps the ledger inside the home: "..", an absolute path, a symlinked directory or file are refused', () => {
    assert.throws(() => config({ ledgerPath: '../x.sqlite' }), /ledgerPath: must be a file path inside the kiosk home/);
    assert.throws(() => config({ ledgerPath: '/dev/shm/x.sqlite' }), /ledgerPath: must be a file path inside the kiosk home/);
    assert.throws(() => config({ ledgerPath: 'a/../../x.sqlite' }), /ledgerPath/);
    const outside = tempDir();
    try {
      symlinkSync(outside, path.join(dir, 'data'));
      assert.equal(codeThrown(() => open({ ledgerPath: 'data/ledger.sqlite' })), 'LEDGER_OUTSIDE_HOME');
      symlinkSync(path.join(outside, 'l.sqlite'), path.join(dir, 'ledger.sqlite'));
      assert.equal(codeThrown(() => open()), 'LEDGER_OUTSIDE_HOME');
      rmSync(path.join(dir, 'ledger.sqlite'));
      open().close();
      symlinkSync(path.join(outside, 'wal'), path.join(dir, 'ledger.sqlite-wal'));
      assert.equal(codeThrown(() => open()), 'LEDGER_OUTSIDE_HOME');
      assert.deepEqual(readdir(outside), [], 'nothing written outside the home');
    } finally {
      removeDir(outside);
    }
  });

  describe('homes from before home.json', () => {
    /** A ledger as the previous kiosk software left it: schema v1, no identity, the marker beside it. */
    function legacyHome(): void {
      const old = openLedger(path.join(dir, 'ledger.sqlite'), { logger });
      old.redeem(input(1));
      old.raiseTrustedTime(1_800_000_000, 'coupon-iat:plat-a');
      old.close();
      writeFileSync(path.join(dir, 'ledger.sqlite.created'), '2026-03-01T08:00:00.000Z\n');
      chmodSync(path.join(dir, 'ledger.sqlite'), 0o644);
    }

    it('are adopted without losing anything: redemptions, trusted time, creation date; the ledger gets an identity', () => {
      legacyHome();
      const adopted = open();
      assert.equal(adopted.find('plat-a', input(1).ctiHex)?.serial, 'SER-1');
      assert.equal(adopted.trustedTime(), 1_800_000_000);
      const id = adopted.identity()?.id;
      adopted.close();
      const record = readHomeRecord(paths);
      assert.equal(record?.ledger.id, id);
      assert.equal(record?.ledger.created, '2026-03-01T08:00:00.000Z');
      assert.equal(statSync(path.join(dir, 'ledger.sqlite')).mode & 0o777, 0o600, 'a 0644 ledger is tightened');
      const again = open();
      assert.equal(again.identity()?.id, id, 'adopted once');
      again.close();
    });

    it('with the marker but no ledger (or an empty one): LEDGER_LOST, as before', () => {
      legacyHome();
      rmLedger();
      assert.equal(codeThrown(() => planLedger(paths, config())), 'LEDGER_LOST');
      writeFileSync(path.join(dir, 'ledger.sqlite'), '');
      assert.equal(codeThrown(() => open()), 'LEDGER_LOST');
    });

    it('a 0-byte file in a home that never recorded a ledger is not taken for a new ledger either', () => {
      writeFileSync(path.join(dir, 'ledger.sqlite'), '');
      assert.equal(codeThrown(() => open()), 'LEDGER_LOST');
    });

    it('a stamped ledger without home.json (a crash before home.json, or a restore into a fresh home) keeps its identity', () => {
      const first = open();
      const id = first.identity()?.id;
      first.close();
      rmSync(paths.record);
      const again = open();
      assert.equal(again.identity()?.id, id);
      again.close();
      assert.equal(readHomeRecord(paths)?.ledger.id, id);
    });
  });

  it('read-only: undefined for a home without a ledger yet, and nothing is created', () => {
    assert.equal(openHomeLedgerReadOnly(paths, config(), { logger }), undefined);
    assert.deepEqual(readdir(dir), []);
  });

  it('an invalid home.json is reported with every problem, not ignored', () => {
    writeFileSync(paths.record, JSON.stringify({ format: 1, ledger: { id: 'x', path: 'ledger.sqlite' } }));
    assert.throws(() => planLedger(paths, config()), (e: Error) => /ledger\.id: must be 32 lowercase hex digits/.test(e.message) && /ledger\.created: is required/.test(e.message));
  });

  it('home.json is JSON a technician can read', () => {
    open().close();
    const text = readFileSync(paths.record, 'utf8');
    assert.match(text, /^\{\n {2}"format": 1,\n {2}"ledger": \{\n/);
  });
});

function readdir(dir: string): string[] {
  return readdirSync(dir).sort();
}
