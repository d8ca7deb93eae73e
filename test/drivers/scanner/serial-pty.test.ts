/**
 * The serial driver on real pseudo-terminals (socat), unplugged many times
 * while idle and while a scan is flowing (issue 11): every unplug must be
 * noticed within seconds, and the next plug must deliver scans again.
 */
import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { silentLogger } from '../../../device/logger.js';
import type { ScannerState } from '../../../drivers/scanner/port.js';
import { SerialScanner } from '../../../drivers/scanner/serial.js';
import { needTool } from '../../support/host-tool.js';
import { SocatPty, startFlood } from '../../support/socat-pty.js';
import { record } from './record.js';

const SCAN = 'HC1:' + 'Q7x/+='.repeat(60);
/** "within a few seconds"; in practice it is one event-loop turn */
const NOTICE_MS = 3000;
const UNPLUGS_EACH = 20;

/** Resolves when `pred()` holds, polling; rejects naming `what` after `ms`. */
async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('SerialScanner on real pseudo-terminals (socat)', function () {
  this.timeout(120_000);
  let pty: SocatPty;
  let scanner: SerialScanner;
  let ev: ReturnType<typeof record>;
  const stateAt: { state: ScannerState; at: number }[] = [];

  before(function () {
    needTool(this, 'socat', 'apt-get install socat');
  });

  beforeEach(async () => {
    pty = new SocatPty();
    await pty.plug();
    scanner = new SerialScanner({
      path: pty.a, baudRate: 115200, terminator: 'auto', interCharTimeoutMs: 0,
      logger: silentLogger(), backoff: { initialMs: 20, maxMs: 200 },
      burstGapMs: 0, // the flood is many scans back to back: each must come out whole
    });
    ev = record(scanner);
    stateAt.length = 0;
    scanner.on('state', (state) => stateAt.push({ state, at: Date.now() }));
    await scanner.start();
    assert.equal(scanner.state, 'connected');
  });

  afterEach(async () => {
    await scanner.stop();
    await pty.dispose();
  });

  /** Unplug with the given signal and return how long the driver took to say so. */
  async function unplugAndTime(signal: NodeJS.Signals): Promise<number> {
    const before = stateAt.length;
    const t0 = Date.now();
    await pty.unplug(signal);
    await until(() => stateAt.slice(before).some((s) => s.state === 'disconnected'), `'disconnected' after unplug #${before}`, NOTICE_MS * 2);
    return stateAt.slice(before).find((s) => s.state === 'disconnected')!.at - t0;
  }

  async function replug(): Promise<void> {
    await pty.plug();
    await until(() => scanner.state === 'connected', 'reconnect after replug');
  }

  /** One scan written by a process that then holds the far end open, idle. */
  async function scanOnceAndIdle(): Promise<number> {
    const fd = pty.openFarEnd();
    try {
      const seen = ev.lines.length;
      writeSync(fd, `${SCAN}\r`);
      await until(() => ev.lines.length > seen, 'the scan');
      return fd;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  it(`notices ${UNPLUGS_EACH} unplugs while idle within ${NOTICE_MS} ms each, and reconnects every time`, async () => {
    const took: number[] = [];
    for (let i = 0; i < UNPLUGS_EACH; i++) {
      const fd = await scanOnceAndIdle();
      await new Promise((r) => setTimeout(r, 20)); // the read is now waiting for data
      took.push(await unplugAndTime(i % 2 ? 'SIGKILL' : 'SIGTERM'));
      closeSync(fd);
      await replug();
    }
    assert.ok(Math.max(...took) < NOTICE_MS, `slowest notice ${Math.max(...took)} ms`);
    assert.equal(ev.lines.length, UNPLUGS_EACH);
    await scanOnceAndIdle().then(closeSync);
    assert.ok(ev.lines.every((l) => l === SCAN), 'every scan whole');
  });

  it(`notices ${UNPLUGS_EACH} unplugs in the middle of a transfer within ${NOTICE_MS} ms each; partial scans are dropped; scans flow after each replug`, async () => {
    const took: number[] = [];
    for (let i = 0; i < UNPLUGS_EACH; i++) {
      const seen = ev.lines.length;
      const flood = await startFlood(pty.b, SCAN, { terminator: true });
      try {
        // well into the transfer: reads no longer wait for data, the case that went unnoticed
        await until(() => ev.lines.length >= seen + 5, 'the flood to reach the scanner');
        took.push(await unplugAndTime(i % 2 ? 'SIGKILL' : 'SIGTERM'));
      } finally {
        await flood.stop();
      }
      await replug();
    }
    assert.ok(Math.max(...took) < NOTICE_MS, `slowest notice ${Math.max(...took)} ms`);
    const errors = ev.errors.map((e) => e.code);
    assert.deepEqual([...new Set(errors)], ['SCANNER_DISCONNECTED']);
    assert.equal(errors.length, UNPLUGS_EACH, 'one error per outage');
    const bad = ev.lines.filter((l) => l !== SCAN);
    assert.deepEqual(bad.map((l) => l.length), [], 'a partial scan came out');
    // the handle after the last replug is live: a scan goes through
    const before = ev.lines.length;
    await scanOnceAndIdle().then(closeSync);
    assert.equal(ev.lines.length, before + 1);
    assert.equal(ev.states.filter((s) => s === 'disconnected').length, UNPLUGS_EACH);
  });
});
