import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Keyring } from '../../coupon/index.js';
import type { Ledger } from '../../device/ledger/types.js';
import { issue, makeKeys, openTestLedger, removeDir, tempDir, type TestKeys } from './helpers.js';
import { buildKiosk, reasonOf, scanAll } from './kiosk-harness.js';
import { DEFAULT_MAX_QUEUED_SCANS } from '../../device/scan-queue.js';

const sha = (t: string): string => createHash('sha256').update(t).digest('hex');

describe('device/kiosk', () => {
  let dir: string;
  let ledger: Ledger;
  let keys: TestKeys;
  before(() => (keys = makeKeys()));
  beforeEach(() => {
    dir = tempDir();
    ledger = openTestLedger(dir);
  });
  afterEach(() => removeDir(dir));

  it('shows starting, then idle, and drives screen and indicator per verdict', async () => {
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    assert.deepEqual(h.display.shown.map((s) => s.kind), ['message', 'idle']);
    const text = issue(keys);
    h.scanner.emitLine(text);
    h.scanner.emitLine(text);
    h.scanner.emitLine('nonsense');
    await h.verdictCount(3);
    assert.deepEqual(h.verdicts.map(reasonOf), ['ACCEPTED', 'ALREADY_REDEEMED', 'NOT_A_COUPON']);
    assert.deepEqual(h.indicator.history, ['accepted', 'duplicate', 'rejected']);
    const screens = h.display.shown.filter((s) => s.kind === 'verdict');
    assert.deepEqual(screens.map((s) => s.kind === 'verdict' && s.reason), ['ACCEPTED', 'ALREADY_REDEEMED', 'NOT_A_COUPON']);
    const dup = screens[1];
    assert.ok(dup?.kind === 'verdict' && dup.redeemedBy === 'till-1' && typeof dup.redeemedAt === 'number');
    assert.equal(screens[0]?.kind === 'verdict' && screens[0].status.pending, 1);
    await h.kiosk.stop();
    assert.equal(h.scanner.started, false);
    assert.equal(h.display.started, false);
    assert.throws(() => ledger.counts(), /closed|not open/i);
  });

  it('returns to the idle screen after the verdict period', async () => {
    const h = buildKiosk({ keyring: keys.keyring, ledger, verdictScreenMs: 20 });
    await h.kiosk.start();
    h.scanner.emitLine('nonsense');
    await h.verdictCount(1);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(h.display.last?.kind, 'idle');
    await h.kiosk.stop();
  });

  it('1,000 scans as fast as the queue takes them: every one gets a verdict, in arrival order', async () => {
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    const texts = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? issue(keys) : `line ${i}`));
    await scanAll(h, texts, DEFAULT_MAX_QUEUED_SCANS);
    assert.deepEqual(h.verdicts.map((v) => v.textHash), texts.map(sha));
    assert.equal(h.verdicts.filter((v) => reasonOf(v) === 'ACCEPTED').length, 100);
    await h.kiosk.stop();
  });

  it('a flood beyond the queue (issue 7.7): the queue holds its bound, the rest is refused and logged once; the next scan is answered', async () => {
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    for (let i = 0; i < 5000; i++) h.scanner.emitLine(`junk ${i}`);
    await h.kiosk.drained();
    assert.equal(h.verdicts.length, DEFAULT_MAX_QUEUED_SCANS, 'only what the queue held was answered (one scan-log write each)');
    assert.equal(ledger.counts().scans, DEFAULT_MAX_QUEUED_SCANS);
    const warnings = h.logLines.filter((l) => String(l['msg']).startsWith('scan queue'));
    assert.deepEqual(warnings.map((l) => l['refused'] ?? l['waiting']), [DEFAULT_MAX_QUEUED_SCANS, 5000 - DEFAULT_MAX_QUEUED_SCANS]);
    const real = issue(keys);
    h.scanner.emitLine(real);
    await h.verdictCount(DEFAULT_MAX_QUEUED_SCANS + 1);
    assert.equal(reasonOf(h.verdicts.at(-1)), 'ACCEPTED');
    await h.kiosk.stop();
  });

  it('NO_KEYS: an empty keyring shows the fault instead of idle, and scans still get verdicts', async () => {
    const h = buildKiosk({ keyring: new Keyring({ platforms: [], merchantKeys: [] }), ledger });
    await h.kiosk.start();
    assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'NO_KEYS');
    h.scanner.emitLine(issue(keys));
    await h.verdictCount(1);
    assert.equal(reasonOf(h.verdicts[0]), 'UNKNOWN_MERCHANT_KEY');
    await h.kiosk.stop();
  });

  it('SCANNER_DISCONNECTED: shown on unplug, cleared on replug', async () => {
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    h.scanner.setState('disconnected');
    assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'SCANNER_DISCONNECTED');
    assert.equal(h.display.last.status.scanner, 'disconnected');
    h.scanner.setState('connected');
    assert.equal(h.display.last?.kind, 'idle');
    assert.deepEqual(h.indicator.history, ['fault', 'clear']);
    assert.deepEqual(h.faults.map((f) => [f.fault, f.active]), [['SCANNER_DISCONNECTED', true], ['SCANNER_DISCONNECTED', false]]);
    await h.kiosk.stop();
  });

  it('display and indicator failures are logged and never stop redemption', async () => {
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    await h.kiosk.start();
    h.display.failNext(5);
    h.indicator.signal = async () => {
      throw new Error('gpio gone');
    };
    const texts = [issue(keys), issue(keys)];
    for (const t of texts) h.scanner.emitLine(t);
    await h.verdictCount(2);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.verdicts.map(reasonOf), ['ACCEPTED', 'ACCEPTED']);
    assert.ok(h.logLines.some((l) => l['msg'] === 'display failed'));
    assert.ok(h.logLines.some((l) => l['msg'] === 'indicator failed'));
    await h.kiosk.stop();
  });

  it('CLOCK_UNTRUSTED: a clock behind the trusted floor is announced, logged and kept in the status line', async () => {
    const h = buildKiosk({ keyring: keys.keyring, ledger });
    ledger.raiseTrustedTime(Math.floor(h.clock.now() / 1000) + 86_400, 'test');
    await h.kiosk.start();
    assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'CLOCK_UNTRUSTED');
    assert.equal(h.display.last.status.clockWarning, true);
    assert.ok(h.logLines.some((l) => l['level'] === 40 && String(l['msg']).includes('behind the trusted time')));
    h.scanner.emitLine('nonsense');
    await h.verdictCount(1);
    const last = h.display.shown[h.display.shown.length - 1];
    assert.ok(last?.kind === 'verdict' && last.status.clockWarning);
    await h.kiosk.stop();
  });
});

describe('device/kiosk hardware start-up', () => {
  it('a display that fails to start raises HARDWARE (indicator blinks), and scans are still redeemed', async () => {
    const dir = tempDir();
    const keys = makeKeys();
    const ledger = openTestLedger(dir);
    try {
      const h = buildKiosk({ keyring: keys.keyring, ledger });
      h.display.start = async () => {
        throw new Error('no panel on i2c-1');
      };
      await h.kiosk.start();
      assert.deepEqual(h.faults.map((f) => f.fault), ['HARDWARE']);
      assert.match(h.faults[0]?.detail ?? '', /display: no panel on i2c-1/);
      assert.deepEqual(h.indicator.history, ['fault']);
      h.scanner.emitLine(issue(keys));
      await h.verdictCount(1);
      assert.equal(reasonOf(h.verdicts[0]), 'ACCEPTED');
      await h.kiosk.stop();
    } finally {
      removeDir(dir);
    }
  });
});
