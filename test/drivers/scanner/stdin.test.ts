import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { memoryLogger } from '../../../device/logger.js';
import { MAX_SCAN_CHARS, SCAN_BURST_GAP_MS } from '../../../drivers/scanner/port.js';
import { FakeTimers } from '../../../drivers/scanner/timers.js';
import { StdinScanner } from '../../../drivers/scanner/stdin.js';
import { record } from './record.js';

/** The framing tests: every line a scan (burstGapMs 0, as `kiosk redeem` reads stdin); the burst rule is tested on its own. */
function setup() {
  const input = new PassThrough();
  const scanner = new StdinScanner({ input, burstGapMs: 0 });
  return { input, scanner, ...record(scanner) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('StdinScanner', () => {
  it('emits lines ended by CR, LF or CRLF and is connected while running', async () => {
    const { input, scanner, lines, states } = setup();
    await scanner.start();
    assert.equal(scanner.state, 'connected');
    input.write('ONE\rTWO\nTHR');
    input.write('EE\r');
    input.write('\nFOUR\r\n');
    await tick();
    assert.deepEqual(lines, ['ONE', 'TWO', 'THREE', 'FOUR']);
    assert.deepEqual(states, ['connected']);
    await scanner.stop();
  });

  it('end of input flushes the last line and reports disconnected', async () => {
    const { input, scanner, lines, states } = setup();
    await scanner.start();
    input.end('LAST');
    await once(scanner, 'state');
    assert.deepEqual(lines, ['LAST']);
    assert.deepEqual(states, ['connected', 'disconnected']);
    assert.equal(scanner.state, 'disconnected');
  });

  it('passes binary bytes through as text, and keeps a UTF-8 character split across chunks', async () => {
    const { input, scanner, lines } = setup();
    await scanner.start();
    input.write(Buffer.from([0xff, 0x00, 0x80, 0x0a]));
    const e = Buffer.from('é\n');
    input.write(e.subarray(0, 1));
    input.write(e.subarray(1));
    await tick();
    assert.deepEqual(lines, ['\ufffd\u0000\ufffd', 'é']);
    await scanner.stop();
  });

  it('truncates an overlong line to MAX_SCAN_CHARS + 1 and keeps the next line intact', async () => {
    const { input, scanner, lines } = setup();
    await scanner.start();
    input.write('y'.repeat(10_000) + '\nNEXT\n');
    await tick();
    assert.deepEqual(lines.map((l) => l.length), [MAX_SCAN_CHARS + 1, 4]);
    assert.equal(lines[1], 'NEXT');
    await scanner.stop();
  });

  it('as the scanner of the service (the default), one burst is one scan; the rest is logged, once', async () => {
    const input = new PassThrough();
    const timers = new FakeTimers();
    const { logger, lines: log } = memoryLogger('warn');
    const scanner = new StdinScanner({ input, timers, logger });
    const ev = record(scanner);
    await scanner.start();
    input.write('x\n'.repeat(1476));
    await tick();
    timers.advance(SCAN_BURST_GAP_MS);
    input.write('NEXT\n');
    await tick();
    assert.deepEqual(ev.lines, ['x', 'NEXT']);
    assert.deepEqual(log.filter((l) => l['lines'] !== undefined).map((l) => l['lines']), [1475]);
    await scanner.stop();
  });

  it('a stream error is reported as SCANNER_IO and disconnected, not thrown', async () => {
    const { input, scanner, states, errors } = setup();
    await scanner.start();
    input.destroy(new Error('EIO'));
    await tick();
    assert.deepEqual(states, ['connected', 'disconnected']);
    assert.equal(errors[0]?.code, 'SCANNER_IO');
    assert.match(errors[0]?.message ?? '', /EIO/);
  });

  it('stop() is idempotent and nothing is emitted after it', async () => {
    const { input, scanner, lines, states } = setup();
    await scanner.start();
    await scanner.stop();
    await scanner.stop();
    input.write('LATE\n');
    input.end();
    await tick();
    assert.deepEqual(lines, []);
    assert.deepEqual(states, ['connected']);
    assert.equal(input.listenerCount('data'), 0);
  });
});
