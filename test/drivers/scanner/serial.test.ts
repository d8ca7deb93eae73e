import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { MockBindingInterface, MockPortBinding } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };
import { silentLogger } from '../../../device/logger.js';
import type { SerialScannerConfig } from '../../../drivers/config.js';
import { MAX_SCAN_CHARS, SCAN_BURST_GAP_MS, type ScannerError } from '../../../drivers/scanner/port.js';
import { SerialScanner, type BindingInterface } from '../../../drivers/scanner/serial.js';
import { FakeTimers } from '../../../drivers/scanner/timers.js';
import { record } from './record.js';

// the package's export map gives ESM importers no types, so load it the CommonJS way, typed
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as { MockBinding: MockBindingInterface };
type OpenOptions = Parameters<BindingInterface['open']>[0];

const PATH = '/dev/serial/by-id/usb-Test_Scanner-if00';
const BACKOFF = { initialMs: 10, maxMs: 40 };

/**
 * MockBinding plus a way to pull the cable. On a real unplug the pending read
 * of bindings-cpp fails with an I/O error; SerialPortStream turns that into
 * 'close' with a DisconnectedError. MockBinding only cancels reads (on close),
 * so each opened port's read is raced against an "unplugged" rejection, and
 * the port record is removed (MockBinding.reset) so reopening fails until the
 * test "replugs" with createPort.
 */
function harness() {
  const opened: { port: MockPortBinding; unplug: (err: Error) => void; endOfFile: () => void }[] = [];
  const binding: BindingInterface = {
    list: () => MockBinding.list(),
    async open(options: OpenOptions) {
      const port = await MockBinding.open(options);
      let unplug!: (err: Error) => void;
      const unplugged = new Promise<never>((_, reject) => (unplug = reject));
      unplugged.catch(() => undefined);
      // a binding that reports a hang-up as a 0-byte read, as bindings-cpp's main branch does
      let endOfFile!: () => void;
      const eof = new Promise<{ bytesRead: number; buffer: Buffer }>((resolve) => (endOfFile = () => resolve({ bytesRead: 0, buffer: Buffer.alloc(0) })));
      const read = port.read.bind(port);
      port.read = (buffer, offset, length) => Promise.race([read(buffer, offset, length), unplugged, eof]);
      opened.push({ port, unplug, endOfFile });
      return port;
    },
  };
  const timers = new FakeTimers();
  const events: ReturnType<typeof record>[] = [];
  const make = (cfg: Partial<SerialScannerConfig> = {}) => {
    const s = new SerialScanner({
      path: PATH, baudRate: 115200, terminator: 'auto', interCharTimeoutMs: 0,
      ...cfg, logger: silentLogger(), binding, timers, backoff: BACKOFF,
    });
    events.push(record(s));
    return s;
  };
  const last = () => {
    const o = opened.at(-1);
    assert.ok(o, 'no port opened');
    return o;
  };
  const ev = () => {
    const e = events.at(-1);
    assert.ok(e, 'no scanner made');
    return e;
  };
  return {
    make, timers, opened, last,
    get lines() { return ev().lines; },
    get states() { return ev().states; },
    get errors() { return ev().errors; },
  };
}

/** Let the mock binding's nextTick/promise chain run. */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

describe('SerialScanner (MockBinding)', () => {
  beforeEach(() => MockBinding.reset());
  afterEach(() => MockBinding.reset());

  it('frames split chunks and a CRLF split across chunks', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    const s = h.make();
    await s.start();
    assert.equal(s.state, 'connected');
    h.last().port.emitData('ABC');
    await settle();
    h.last().port.emitData('DEF\r');
    await settle();
    h.last().port.emitData('\n');
    await settle();
    h.timers.advance(SCAN_BURST_GAP_MS); // a person takes longer than this to scan again
    h.last().port.emitData('GHI\r\n');
    await settle();
    assert.deepEqual(h.lines, ['ABCDEF', 'GHI']);
    await s.stop();
  });

  it('accepts a 4,096-char line whole; truncates a 10,000-char line to 4,097 and keeps the next intact', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true, maxReadSize: 700 });
    const h = harness();
    const s = h.make({ terminator: 'CRLF' });
    await s.start();
    const exact = 'Q'.repeat(MAX_SCAN_CHARS);
    for (const scan of [exact + '\r\n', 'z'.repeat(10_000) + '\r\n', 'NEXT\r\n']) {
      h.last().port.emitData(scan);
      await settle(100);
      h.timers.advance(SCAN_BURST_GAP_MS);
    }
    assert.deepEqual(h.lines.map((l) => l.length), [MAX_SCAN_CHARS, MAX_SCAN_CHARS + 1, 4]);
    assert.equal(h.lines[0], exact);
    assert.equal(h.lines[1], 'z'.repeat(MAX_SCAN_CHARS + 1));
    assert.equal(h.lines[2], 'NEXT');
    await s.stop();
  });

  it('one scan is one burst: lines that follow without a pause are part of it, not scans', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    const s = h.make();
    await s.start();
    h.last().port.emitData('x\r'.repeat(500));
    await settle(50);
    assert.deepEqual(h.lines, ['x']);
    await s.stop();
  });

  it('unplug mid-line: disconnected + SCANNER_DISCONNECTED, partial dropped; replug resumes without restart', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    const s = h.make();
    await s.start();
    h.last().port.emitData('HALF-A-COU');
    await settle();
    MockBinding.reset();
    h.last().unplug(new Error('EIO: read failed'));
    await settle();
    assert.equal(s.state, 'disconnected');
    assert.deepEqual(h.states, ['connected', 'disconnected']);
    assert.equal(h.errors[0]?.code, 'SCANNER_DISCONNECTED');
    assert.equal(h.errors[0]?.disconnected, true);
    assert.match(h.errors[0]?.message ?? '', /EIO/);

    h.timers.advance(BACKOFF.initialMs); // retry while still unplugged: fails quietly
    await settle();
    assert.equal(s.state, 'disconnected');
    assert.equal(h.errors.length, 1, 'one error per outage');

    MockBinding.createPort(PATH, { echo: false, record: true });
    h.timers.advance(BACKOFF.initialMs * 2);
    await settle();
    assert.equal(s.state, 'connected');
    assert.equal(h.opened.length, 2);
    h.last().port.emitData('PON\r\n');
    await settle();
    assert.deepEqual(h.lines, ['PON']);
    assert.deepEqual(h.states, ['connected', 'disconnected', 'connected']);
    await s.stop();
  });

  it('a read that ends the stream (0 bytes: hang-up) is an unplug too, and the replug resumes', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    const s = h.make();
    await s.start();
    h.last().port.emitData('PART');
    await settle();
    MockBinding.reset();
    h.last().endOfFile();
    await settle();
    assert.equal(s.state, 'disconnected');
    assert.equal(h.errors[0]?.code, 'SCANNER_DISCONNECTED');
    assert.match(h.errors[0]?.message ?? '', /hung up \(end of input\)/);
    MockBinding.createPort(PATH, { echo: false, record: true });
    h.timers.advance(BACKOFF.initialMs);
    await settle();
    assert.equal(s.state, 'connected');
    h.last().port.emitData('WHOLE\r');
    await settle();
    assert.deepEqual(h.lines, ['WHOLE']);
    await s.stop();
  });

  it('finds the port by USB vendor/product id (any hex case)', async () => {
    MockBinding.createPort('/dev/ttyUSB0', { vendorId: '1a86', productId: '7523' });
    MockBinding.createPort('/dev/ttyACM3', { vendorId: '0C2E', productId: '0B61' });
    const h = harness();
    const s = h.make({ path: undefined, vendorId: '0c2e', productId: '0b61' });
    await s.start();
    assert.equal(s.state, 'connected');
    assert.equal(h.last().port.openOptions.path, '/dev/ttyACM3');
    assert.equal(h.last().port.openOptions.baudRate, 115200);
    await s.stop();
  });

  it('a missing port is disconnected + retries with backoff (no crash), then connects when it appears', async () => {
    const h = harness();
    const s = h.make();
    await s.start();
    assert.equal(s.state, 'disconnected');
    assert.deepEqual(h.states, ['disconnected']);
    assert.equal(h.errors[0]?.code, 'SCANNER_OPEN_FAILED');
    assert.match(h.errors[0]?.message ?? '', /does not exist/);
    for (const delay of [10, 20, 40, 40]) {
      assert.equal(h.timers.armed, 1);
      h.timers.advance(delay - 1);
      await settle();
      assert.equal(h.timers.armed, 1, `no retry before ${delay} ms`);
      h.timers.advance(1);
      await settle();
    }
    assert.equal(h.errors.length, 1);
    MockBinding.createPort(PATH);
    h.timers.advance(40);
    await settle();
    assert.equal(s.state, 'connected');
    await s.stop();
  });

  it('stop() cancels retries, closes the port, is idempotent, and nothing is emitted after it', async () => {
    const h = harness();
    const s = h.make();
    await s.start();
    await s.stop();
    assert.equal(h.timers.armed, 0);
    MockBinding.createPort(PATH);
    h.timers.advance(1000);
    await settle();
    assert.equal(h.opened.length, 0);

    await s.start();
    const port = h.last().port;
    port.emitData('PARTIAL');
    await settle();
    await s.stop();
    await s.stop();
    assert.equal(port.isOpen, false);
    assert.deepEqual(h.lines, []);
    assert.equal(s.state, 'disconnected');
    assert.deepEqual(h.states, ['disconnected', 'connected']);
  });

  it('ends a line after the inter-character timeout for scanners without terminator', async () => {
    MockBinding.createPort(PATH);
    const h = harness();
    const s = h.make({ interCharTimeoutMs: 30 });
    await s.start();
    h.last().port.emitData('NOTERM');
    await settle();
    assert.deepEqual(h.lines, []);
    h.timers.advance(30);
    assert.deepEqual(h.lines, ['NOTERM']);
    await s.stop();
  });

  it('a wrong configuration rejects start() naming every bad value', async () => {
    const h = harness();
    const s = h.make({ path: undefined, vendorId: 'xyz', baudRate: 0 });
    await assert.rejects(s.start(), (err: ScannerError) => {
      assert.equal(err.code, 'SCANNER_OPEN_FAILED');
      assert.match(err.message, /vendorId 'xyz'/);
      assert.match(err.message, /baudRate '0'/);
      assert.match(err.message, /path or both/);
      return true;
    });
  });
});
