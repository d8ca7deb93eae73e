/**
 * The running kiosk's keys are replaceable: the pipeline reads the holder per
 * scan, and a new snapshot (a reload after a refresh, a disabled terminal)
 * moves NO_KEYS and TERMINAL_DISABLED without a restart.
 */
import assert from 'node:assert/strict';
import { Keyring } from '../../coupon/index.js';
import { KeyringHolder } from '../../device/keyring-holder.js';
import type { Ledger } from '../../device/ledger/types.js';
import { issue, makeKeys, openTestLedger, removeDir, tempDir, type TestKeys } from './helpers.js';
import { buildKiosk, reasonOf } from './kiosk-harness.js';

describe('device/kiosk with replaceable keys', () => {
  let dir: string;
  let ledger: Ledger;
  let keys: TestKeys;
  before(() => (keys = makeKeys()));
  beforeEach(() => {
    dir = tempDir();
    ledger = openTestLedger(dir);
  });
  afterEach(() => removeDir(dir));

  it('a new keyring applies from the next scan; NO_KEYS comes and goes with it', async () => {
    const empty = new Keyring({ platforms: [], merchantKeys: [] });
    const holder = new KeyringHolder({ keyring: empty, disabled: [] });
    const h = buildKiosk({ keyring: holder, ledger });
    await h.kiosk.start();
    assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'NO_KEYS');
    holder.replace({ keyring: keys.keyring, disabled: [] });
    assert.equal(h.display.last?.kind, 'idle', 'the fault cleared without a scan');
    h.scanner.emitLine(issue(keys));
    await h.verdictCount(1);
    assert.equal(reasonOf(h.verdicts[0]), 'ACCEPTED');
    holder.replace({ keyring: empty, disabled: [] });
    h.scanner.emitLine(issue(keys));
    await h.verdictCount(2);
    assert.equal(reasonOf(h.verdicts[1]), 'UNKNOWN_MERCHANT_KEY');
    assert.deepEqual(h.faults.map((f) => [f.fault, f.active]), [['NO_KEYS', true], ['NO_KEYS', false], ['NO_KEYS', true]]);
    await h.kiosk.stop();
  });

  it('TERMINAL_DISABLED: a blocking fault naming the terminal and platform, cleared when the platform enables it again', async () => {
    const holder = new KeyringHolder({ keyring: keys.keyring, disabled: [] });
    const h = buildKiosk({ keyring: holder, ledger });
    await h.kiosk.start();
    const disabledAt = Date.UTC(2026, 11, 1);
    holder.replace({ keyring: keys.keyring, disabled: [{ platformId: 'meituan-01', terminalId: 't-0123456789abcdef', at: disabledAt, message: 'stolen' }] });
    const shown = h.display.last;
    assert.ok(shown?.kind === 'fault' && shown.fault === 'TERMINAL_DISABLED', JSON.stringify(shown));
    assert.match(shown.detail ?? '', /terminal t-0123456789abcdef disabled by meituan-01/);
    assert.equal(h.indicator.history.at(-1), 'fault');
    assert.deepEqual(h.kiosk.state.faults, ['TERMINAL_DISABLED']);
    holder.replace({ keyring: keys.keyring, disabled: [] });
    assert.equal(h.display.last?.kind, 'idle');
    await h.kiosk.stop();
    holder.replace({ keyring: keys.keyring, disabled: [] });
    assert.equal(holder.listenerCount('change'), 0, 'stop() lets go of the holder');
  });
});
