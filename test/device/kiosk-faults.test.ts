import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../device/config.js';
import { homePaths } from '../../device/home.js';
import { openLedger } from '../../device/ledger/sqlite-ledger.js';
import { LedgerError, type Ledger } from '../../device/ledger/types.js';
import { memoryLogger, silentLogger } from '../../device/logger.js';
import { openLedgerOrFault } from '../../device/main.js';
import { issue, makeKeys, openTestLedger, removeDir, tempDir, type TestKeys } from './helpers.js';
import { buildKiosk, reasonOf, scanAll, type Harness } from './kiosk-harness.js';

/** Every ACCEPTED verdict must be in the ledger: reopen it and look. */
function assertAcceptedRecorded(h: Harness, file: string): void {
  const check = openLedger(file, { logger: silentLogger(), readonly: true });
  try {
    for (const v of h.verdicts) {
      if (reasonOf(v) === 'ACCEPTED') assert.ok(check.find(v.claims!.iss, Buffer.from(v.claims!.cti).toString('hex')), `${v.serial} not recorded`);
    }
  } finally {
    check.close();
  }
}


describe('device/kiosk faults (ledger)', () => {
  let dir: string;
  let keys: TestKeys;
  before(() => (keys = makeKeys()));
  beforeEach(() => (dir = tempDir()));
  afterEach(() => removeDir(dir));

  it('full disk (max_page_count): DISK_FULL on the display and in the log, no unrecorded ACCEPTED', async () => {
    const file = path.join(dir, 'ledger.sqlite');
    const ledger = openLedger(file, {
      logger: silentLogger(),
      onConnection: (db) => db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 2}`),
    });
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    await scanAll(h, Array.from({ length: 60 }, () => issue(keys)));
    const faults = h.verdicts.filter((v) => v.kind === 'fault');
    assert.ok(faults.length > 0, 'the disk never filled');
    assert.ok(faults.every((v) => v.kind === 'fault' && v.fault === 'DISK_FULL'));
    assert.ok(h.display.shown.some((s) => s.kind === 'fault' && s.fault === 'DISK_FULL'));
    assert.ok(h.indicator.history.includes('fault'));
    assert.ok(h.logLines.some((l) => l['level'] === 50 && l['fault'] === 'DISK_FULL'));
    await h.kiosk.stop();
    assertAcceptedRecorded(h, file);
  });

  it('a ledger opened read-only: every valid scan is a LEDGER_ERROR fault, nothing ACCEPTED', async () => {
    const file = path.join(dir, 'ledger.sqlite');
    openTestLedger(dir).close();
    const ledger = openLedger(file, { logger: silentLogger(), readonly: true });
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    await scanAll(h, [issue(keys), issue(keys)]);
    assert.deepEqual(h.verdicts.map(reasonOf), ['FAULT:LEDGER_ERROR', 'FAULT:LEDGER_ERROR']);
    assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'LEDGER_ERROR');
    await h.kiosk.stop();
  });

  it('a read-only home (injected LEDGER_READ_ONLY): fault shown, then cleared by the next good scan', async () => {
    const real = openTestLedger(dir);
    let broken = true;
    const ledger: Ledger = Object.create(real) as Ledger;
    ledger.redeem = (r) => {
      if (broken) throw new LedgerError('LEDGER_READ_ONLY', 'attempt to write a readonly database');
      return real.redeem(r);
    };
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    await scanAll(h, [issue(keys)]);
    assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'LEDGER_ERROR' && h.display.last.detail === 'LEDGER_READ_ONLY');
    broken = false;
    await scanAll(h, [issue(keys)]);
    assert.deepEqual(h.verdicts.map(reasonOf), ['FAULT:LEDGER_ERROR', 'ACCEPTED']);
    assert.deepEqual(h.faults.map((f) => [f.fault, f.active]), [['LEDGER_ERROR', true], ['LEDGER_ERROR', false]]);
    await h.kiosk.stop();
  });

  it('a corrupted ledger file: the service still starts, shows LEDGER_ERROR, answers scans with the fault', async () => {
    const file = path.join(dir, 'ledger.sqlite');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const { logger, lines } = memoryLogger('info');
    const config = parseConfig({}, { home: dir });
    const ledger = openLedgerOrFault({ paths: homePaths(dir), config }, logger);
    assert.ok(lines.some((l) => l['msg'] === 'ledger unavailable'));
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'LEDGER_ERROR');
    await scanAll(h, [issue(keys), 'garbage']);
    assert.ok(h.verdicts.every((v) => v.kind === 'fault'));
    await h.kiosk.stop();
  });

  it('a missing ledger file is created fresh', async () => {
    const config = parseConfig({ ledgerPath: 'new.sqlite' }, { home: dir });
    const ledger = openLedgerOrFault({ paths: homePaths(dir), config }, silentLogger());
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    await scanAll(h, [issue(keys)]);
    assert.equal(reasonOf(h.verdicts[0]), 'ACCEPTED');
    await h.kiosk.stop();
    assertAcceptedRecorded(h, config.ledgerPath);
  });

  it('a ledger file that vanished after it was created is a fault, never a fresh empty ledger', async () => {
    const config = parseConfig({}, { home: dir });
    const coupon = issue(keys);
    const first = buildKiosk({ keyring: keys.keyring, ledger: openLedgerOrFault({ paths: homePaths(dir), config }, silentLogger()) });
    await first.kiosk.start();
    await scanAll(first, [coupon]);
    await first.kiosk.stop();
    for (const suffix of ['', '-wal', '-shm']) rmSync(config.ledgerPath + suffix, { force: true });
    const { logger, lines } = memoryLogger('info');
    const h = buildKiosk({ keyring: keys.keyring, ledger: openLedgerOrFault({ paths: homePaths(dir), config }, logger) });
    await h.kiosk.start();
    assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'LEDGER_ERROR');
    assert.ok(lines.some((l) => String((l['err'] as { message?: string } | undefined)?.message).includes('restore it from a backup')));
    await scanAll(h, [coupon]);
    assert.equal(h.verdicts[0]?.kind, 'fault', 'the same coupon must not be accepted again');
    assert.equal(existsSync(config.ledgerPath), false, 'no empty ledger was created');
    await h.kiosk.stop();
  });
});
