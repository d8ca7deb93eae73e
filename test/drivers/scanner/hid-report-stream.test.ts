/**
 * The simulated HID scanner (`kiosk start --hid-reports`): raw boot keyboard
 * reports from a stream, through the real HidScanner, decoder and framer.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { silentLogger } from '../../../device/logger.js';
import { HidScanner } from '../../../drivers/scanner/hid.js';
import { reportStreamHid } from '../../../drivers/scanner/hid-report-stream.js';
import { encode } from '../../../drivers/scanner/hid-typing.js';
import { SCAN_BURST_GAP_MS } from '../../../drivers/scanner/port.js';
import { FakeTimers } from '../../../drivers/scanner/timers.js';
import { record } from './record.js';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function harness() {
  const input = new PassThrough();
  let opened = 0;
  const hid = reportStreamHid('-', () => (opened++, input));
  const timers = new FakeTimers();
  const scanner = new HidScanner({ device: '-', layout: 'us', mode: 'keyboard', backend: 'hidraw', logger: silentLogger(), hid, timers, backoff: { initialMs: 10, maxMs: 40 } });
  return { input, scanner, timers, opens: () => opened, ...record(scanner) };
}

const bytes = (text: string) => Buffer.concat(encode('us', text).map((r) => Buffer.from(r)));

describe('HID scanner on a report stream (--hid-reports)', () => {
  it('lists one keyboard device under the given name; opens the stream once, on the first open', async () => {
    const h = harness();
    assert.equal(h.opens(), 0, 'nothing is opened before start');
    await h.scanner.start();
    assert.equal(h.scanner.state, 'connected');
    assert.equal(h.opens(), 1);
    await h.scanner.stop();
  });

  it('decodes scans whatever the read sizes: reports split across chunks and several in one', async () => {
    const h = harness();
    await h.scanner.start();
    const first = bytes('HC1:Qx/+=9');
    // 3-byte chunks: every report arrives in pieces
    for (let i = 0; i < first.length; i += 3) h.input.write(first.subarray(i, i + 3));
    await settle();
    assert.deepEqual(h.lines, ['HC1:Qx/+=9']);
    h.timers.advance(SCAN_BURST_GAP_MS + 1);
    h.input.write(bytes('second scan')); // all its reports in one chunk
    await settle();
    assert.deepEqual(h.lines, ['HC1:Qx/+=9', 'second scan']);
    await h.scanner.stop();
  });

  it('the end of the stream is an unplug: disconnected, partial line dropped, the device is not listed again', async () => {
    const h = harness();
    await h.scanner.start();
    const partial = bytes('never finished');
    h.input.end(partial.subarray(0, partial.length - 16)); // without its Enter
    await settle();
    assert.equal(h.scanner.state, 'disconnected');
    assert.deepEqual(h.lines, []);
    assert.equal(h.errors[0]?.code, 'SCANNER_DISCONNECTED');
    h.timers.advance(100);
    await settle();
    assert.equal(h.scanner.state, 'disconnected', 'a played stream does not come back');
    assert.equal(h.opens(), 1);
    await h.scanner.stop();
  });

  it('stop() leaves the stream paused (a flowing stdin would keep the process alive)', async () => {
    const h = harness();
    await h.scanner.start();
    assert.equal(h.input.readableFlowing, true);
    await h.scanner.stop();
    assert.equal(h.input.readableFlowing, false);
    assert.equal(h.input.listenerCount('data'), 0);
  });
});
