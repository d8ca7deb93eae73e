import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fillLedger, syntheticRedemption } from '../../bench/ledger-fill.js';
import { openLedger } from '../../device/ledger/index.js';
import { silentLogger } from '../../device/logger.js';

describe('bench ledger fill', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-fill-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds n distinct redemptions and leaves a ledger that opens normally, durable again', () => {
    const file = path.join(dir, 'ledger.db');
    fillLedger(file, 1200);
    fillLedger(file, 300); // a second fill appends, it does not collide
    const ledger = openLedger(file, { logger: silentLogger() });
    assert.deepEqual(ledger.counts(), { redemptions: 1500, pendingUpload: 1500, notExported: 1500, scans: 0, revocations: 0, rejected: 0, reversals: 0, conflicts: 0 });
    const sample = syntheticRedemption(1499);
    assert.equal(ledger.find(sample.platformId, sample.ctiHex)?.serial, sample.serial);
    assert.equal(ledger.redeem(syntheticRedemption(7)).ok, false);
    ledger.close();
    assert.equal(fs.existsSync(`${file}-wal`), false, 'checkpointed and closed');
    const raw = new Database(file, { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
  });
});
