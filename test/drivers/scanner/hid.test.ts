import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { silentLogger } from '../../../device/logger.js';
import type { HidScannerConfig } from '../../../drivers/config.js';
import { HidScanner } from '../../../drivers/scanner/hid.js';
import { loadNodeHid, type HidDeviceInfo, type HidModuleLike } from '../../../drivers/scanner/hid-device.js';
import type { ScannerError } from '../../../drivers/scanner/port.js';
import { FakeTimers } from '../../../drivers/scanner/timers.js';
import { encode } from '../../../drivers/scanner/hid-typing.js';
import { record } from './record.js';

const BACKOFF = { initialMs: 10, maxMs: 80 };

/** An open device: the test pushes input reports and pulls the cable ('error', as node-hid does). */
class FakeHidDevice extends EventEmitter {
  closed = false;
  constructor(readonly path: string) {
    super();
  }
  report(bytes: Uint8Array): void {
    this.emit('data', Buffer.from(bytes));
  }
  async close(): Promise<void> {
    this.closed = true;
    this.removeAllListeners();
  }
}

/** node-hid as the driver sees it: a device list that the test edits, HIDAsync.open by path. */
class FakeHidModule implements HidModuleLike {
  list: HidDeviceInfo[] = [];
  opened: FakeHidDevice[] = [];
  driverType: string | undefined;
  enumerations = 0;
  failWith: Error | undefined;
  /** when set, open() waits for it: an open still in flight */
  gate: Promise<void> | undefined;
  readonly HIDAsync = {
    open: async (path: string) => {
      await this.gate;
      if (!this.list.some((d) => d.path === path)) throw new Error(`cannot open device with path ${path}`);
      const d = new FakeHidDevice(path);
      this.opened.push(d);
      return d;
    },
  };
  readonly HID = class {
    constructor() {
      throw new Error('the driver should use HIDAsync');
    }
  } as unknown as HidModuleLike['HID'];
  devices(): HidDeviceInfo[] {
    this.enumerations++;
    if (this.failWith) throw this.failWith;
    return [...this.list];
  }
  async devicesAsync(): Promise<HidDeviceInfo[]> {
    return this.devices();
  }
  setDriverType(type: 'hidraw' | 'libusb'): void {
    if (this.enumerations > 0) throw new Error('setDriverType after the binding was loaded');
    this.driverType = type;
  }
  get last(): FakeHidDevice {
    const d = this.opened.at(-1);
    assert.ok(d, 'no device opened');
    return d;
  }
}

const SCANNER_KBD: HidDeviceInfo = { vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw3', usagePage: 0x01, usage: 0x06, interface: 0 };
const SCANNER_POS: HidDeviceInfo = { vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw4', usagePage: 0x8c, usage: 0x02, interface: 1 };
const OTHER_KBD: HidDeviceInfo = { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw0', usagePage: 0x01, usage: 0x06, interface: 0 };

function harness(cfg: Partial<HidScannerConfig> = {}) {
  const hid = new FakeHidModule();
  const timers = new FakeTimers();
  const scanner = new HidScanner({ device: '0c2e:0b61', layout: 'us', mode: 'keyboard', backend: 'hidraw', ...cfg, logger: silentLogger(), hid, timers, backoff: BACKOFF });
  return { hid, timers, scanner, ...record(scanner) };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** What the scanner sends for one scan of `text` (US layout), as node-hid Buffers. */
const typeUs = (text: string) => encode('us', text);

function posReport(text: string): Uint8Array {
  const r = new Uint8Array(64);
  r[0] = 0x02;
  r[1] = text.length;
  r.set(Buffer.from(']Q1'), 2);
  r.set(Buffer.from(text), 5);
  return r;
}

describe('HidScanner (fake node-hid)', () => {
  it('keyboard mode: opens the keyboard interface by VID:PID and emits decoded lines', async () => {
    const h = harness();
    h.hid.list = [OTHER_KBD, SCANNER_POS, SCANNER_KBD];
    await h.scanner.start();
    assert.equal(h.scanner.state, 'connected');
    assert.equal(h.hid.last.path, '/dev/hidraw3');
    for (const r of typeUs('Coupon42')) h.hid.last.report(r);
    assert.deepEqual(h.lines, ['Coupon42']);
    await h.scanner.stop();
  });

  it('auto mode picks the POS interface and assembles its reports', async () => {
    const h = harness({ mode: 'auto' });
    h.hid.list = [SCANNER_KBD, SCANNER_POS];
    await h.scanner.start();
    assert.equal(h.hid.last.path, '/dev/hidraw4');
    const first = posReport('A'.repeat(56));
    first[63] = 1;
    h.hid.last.report(first);
    h.hid.last.report(posReport('B\r'));
    assert.deepEqual(h.lines, ['A'.repeat(56) + 'B']);
    await h.scanner.stop();
  });

  it('with no device configured, only a POS scanner is taken, never a keyboard', async () => {
    const h = harness({ device: undefined, mode: 'auto' });
    h.hid.list = [OTHER_KBD];
    await h.scanner.start();
    assert.equal(h.scanner.state, 'disconnected');
    assert.match(h.errors[0]?.message ?? '', /usage page 0x8C/);
    h.hid.list = [OTHER_KBD, SCANNER_POS];
    h.timers.advance(BACKOFF.initialMs);
    await settle();
    assert.equal(h.hid.last.path, '/dev/hidraw4');
    await h.scanner.stop();
  });

  it('unplug mid-line: disconnected + SCANNER_DISCONNECTED, partial dropped; replug re-enumerates and resumes', async () => {
    const h = harness();
    h.hid.list = [SCANNER_KBD];
    await h.scanner.start();
    const first = h.hid.last;
    for (const r of typeUs('HALF').slice(0, 5)) first.report(r);
    h.hid.list = [];
    first.emit('error', new Error('could not read from HID device'));
    await settle();
    assert.equal(h.scanner.state, 'disconnected');
    assert.equal(h.errors[0]?.code, 'SCANNER_DISCONNECTED');
    assert.equal(h.errors[0]?.disconnected, true);
    assert.equal(first.closed, true);

    h.timers.advance(BACKOFF.initialMs);
    await settle();
    assert.equal(h.scanner.state, 'disconnected');
    h.hid.list = [{ ...SCANNER_KBD, path: '/dev/hidraw5' }]; // the kernel gives it a new node
    h.timers.advance(BACKOFF.initialMs * 2);
    await settle();
    assert.equal(h.scanner.state, 'connected');
    assert.equal(h.hid.last.path, '/dev/hidraw5');
    for (const r of typeUs('Whole1')) h.hid.last.report(r);
    assert.deepEqual(h.lines, ['Whole1']);
    assert.deepEqual(h.states, ['connected', 'disconnected', 'connected']);
    assert.equal(h.errors.length, 1);
    await h.scanner.stop();
  });

  it('matches by path', async () => {
    const h = harness({ device: '/dev/hidraw3' });
    h.hid.list = [OTHER_KBD, SCANNER_KBD];
    await h.scanner.start();
    assert.equal(h.hid.last.path, '/dev/hidraw3');
    await h.scanner.stop();
  });

  it("backend 'libusb' sets node-hid's driver type before the first enumeration", async () => {
    const h = harness({ backend: 'libusb' });
    h.hid.list = [{ ...SCANNER_KBD, usagePage: undefined, usage: undefined, path: '0001:0007:00' }];
    await h.scanner.start();
    assert.equal(h.hid.driverType, 'libusb');
    assert.equal(h.scanner.state, 'connected');
    await h.scanner.stop();
  });

  it('a node-hid whose native part cannot load gives SCANNER_MODULE_MISSING with the fix, no retries, no rejection', async () => {
    const h = harness();
    h.hid.failWith = new Error('Could not locate the bindings file. Tried: .../HID_hidraw.node');
    await h.scanner.start();
    assert.equal(h.scanner.state, 'disconnected');
    assert.deepEqual(h.states, ['disconnected']);
    assert.equal(h.errors[0]?.code, 'SCANNER_MODULE_MISSING');
    assert.match(h.errors[0]?.message ?? '', /npm rebuild node-hid/);
    assert.match(h.errors[0]?.message ?? '', /libusb/);
    assert.equal(h.timers.armed, 0);
    await h.scanner.stop();
  });

  it('loadNodeHid turns a failed import into SCANNER_MODULE_MISSING', async () => {
    await assert.rejects(
      loadNodeHid(() => Promise.reject(new Error("Cannot find module 'node-hid'"))),
      (e: ScannerError) => e.code === 'SCANNER_MODULE_MISSING' && /npm rebuild node-hid/.test(e.message) && /Cannot find module/.test(e.message),
    );
  });

  it('loadNodeHid loads the real node-hid lazily (no device needed)', async () => {
    const hid = await loadNodeHid();
    assert.equal(typeof hid.devices, 'function');
    assert.equal(typeof hid.HIDAsync?.open, 'function');
    assert.equal(typeof hid.setDriverType, 'function');
  });

  it('stop() closes the device, cancels retries, is idempotent; nothing after it', async () => {
    const h = harness();
    h.hid.list = [SCANNER_KBD];
    await h.scanner.start();
    const dev = h.hid.last;
    await h.scanner.stop();
    await h.scanner.stop();
    assert.equal(dev.closed, true);
    dev.emit('data', Buffer.from([0, 0, 0x04, 0, 0, 0, 0, 0]));
    assert.equal(h.timers.armed, 0);
    assert.deepEqual(h.lines, []);

    const missing = harness();
    await missing.scanner.start();
    assert.equal(missing.timers.armed, 1);
    await missing.scanner.stop();
    assert.equal(missing.timers.armed, 0);
  });

  it('stop() during an open in flight waits for it and closes what it opened', async () => {
    const h = harness();
    h.hid.list = [SCANNER_KBD];
    let release!: () => void;
    h.hid.gate = new Promise((r) => (release = r));
    const started = h.scanner.start();
    await settle();
    const stopped = h.scanner.stop();
    release();
    await stopped;
    assert.equal(h.hid.last.closed, true, 'closed by the time stop() resolves');
    await started;
    assert.deepEqual(h.states, []);
    assert.equal(h.scanner.state, 'disconnected');
  });

  it('an open that fails names the udev rule', async () => {
    const h = harness();
    h.hid.list = [{ ...SCANNER_KBD, path: '/dev/hidraw9' }];
    h.hid.HIDAsync.open = async (path: string) => {
      throw new Error(`cannot open device with path ${path}`);
    };
    await h.scanner.start();
    assert.match(h.errors[0]?.message ?? '', /hidraw9.*udev rule/);
    await h.scanner.stop();
  });

  it('a wrong configuration rejects start() naming the bad values', async () => {
    const h = harness({ layout: 'xx' as HidScannerConfig['layout'], mode: 'serial' as HidScannerConfig['mode'] });
    await assert.rejects(h.scanner.start(), (e: ScannerError) => /layout 'xx'/.test(e.message) && /mode 'serial'/.test(e.message));
  });
});
