/**
 * The Scanner contract (drivers/scanner/port.ts), run against the fake and
 * every driver through its mock, and against a real serial scanner when
 * KIOSK_TEST_SERIAL names its port (lifecycle only: a person would have to scan).
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import type { MockBindingInterface } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };
import { silentLogger } from '../../../device/logger.js';
import { FakeScanner } from '../../../drivers/scanner/fake.js';
import { HidScanner } from '../../../drivers/scanner/hid.js';
import type { HidDeviceInfo, HidModuleLike } from '../../../drivers/scanner/hid-device.js';
import { SCAN_BURST_GAP_MS, type Scanner } from '../../../drivers/scanner/port.js';
import { SerialScanner } from '../../../drivers/scanner/serial.js';
import { StdinScanner } from '../../../drivers/scanner/stdin.js';
import { FakeTimers } from '../../../drivers/scanner/timers.js';
import { encode } from '../../../drivers/scanner/hid-typing.js';
import { record } from './record.js';

const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as { MockBinding: MockBindingInterface };

interface Subject {
  scanner: Scanner;
  /** deliver one scan the way this driver's device would; absent for real hardware */
  scan?: (text: string) => void;
  /** the driver's clock, to let a person's pause pass between two scans; absent for the fake (its lines are already scans) */
  timers?: FakeTimers;
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

const SUBJECTS: [string, () => Subject][] = [
  ['FakeScanner', () => {
    const scanner = new FakeScanner();
    return { scanner, scan: (t) => scanner.emitLine(t) };
  }],
  ['StdinScanner', () => {
    const input = new PassThrough();
    const timers = new FakeTimers();
    return { scanner: new StdinScanner({ input, timers }), scan: (t) => input.write(`${t}\r\n`), timers };
  }],
  ['SerialScanner (MockBinding)', () => {
    const path = '/dev/serial/by-id/usb-contract';
    MockBinding.reset();
    MockBinding.createPort(path);
    let port: { emitData(d: string): void } | undefined;
    const binding = { ...MockBinding, open: async (o: Parameters<MockBindingInterface['open']>[0]) => (port = await MockBinding.open(o)) };
    const timers = new FakeTimers();
    const scanner = new SerialScanner({ path, baudRate: 9600, terminator: 'auto', interCharTimeoutMs: 0, logger: silentLogger(), binding, timers });
    return { scanner, scan: (t) => port?.emitData(`${t}\r`), timers };
  }],
  ['HidScanner (fake node-hid)', () => {
    const device = new EventEmitter() as EventEmitter & { close(): void };
    device.close = () => device.removeAllListeners();
    const info: HidDeviceInfo = { vendorId: 0x05e0, productId: 0x1200, path: '/dev/hidraw1', usagePage: 1, usage: 6 };
    const hid: HidModuleLike = {
      devices: () => [info],
      HIDAsync: { open: async () => device },
      HID: class {} as unknown as HidModuleLike['HID'],
    };
    const timers = new FakeTimers();
    const scanner = new HidScanner({ device: '05e0:1200', layout: 'de', mode: 'auto', backend: 'hidraw', logger: silentLogger(), hid, timers });
    return { scanner, scan: (t) => encode('de', t).forEach((r) => device.emit('data', Buffer.from(r))), timers };
  }],
];

const realPort = process.env['KIOSK_TEST_SERIAL'];
if (realPort) {
  SUBJECTS.push([`SerialScanner (real ${realPort})`, () => ({
    scanner: new SerialScanner({ path: realPort, baudRate: Number(process.env['KIOSK_TEST_BAUD'] ?? 115200), terminator: 'auto', interCharTimeoutMs: 0, logger: silentLogger() }),
  })]);
}

describe('Scanner contract', () => {
  for (const [name, make] of SUBJECTS) {
    describe(name, () => {
      it('start() connects; scans come out once each, in order, without terminator', async () => {
        const { scanner, scan, timers } = make();
        const ev = record(scanner);
        await scanner.start();
        await settle();
        assert.equal(scanner.state, 'connected');
        assert.deepEqual(ev.states, ['connected']);
        if (scan) {
          for (const t of ['FIRST1', 'second/2+=', 'Third_3-x']) {
            scan(t);
            await settle();
            timers?.advance(SCAN_BURST_GAP_MS); // a person pauses between two scans
          }
          assert.deepEqual(ev.lines, ['FIRST1', 'second/2+=', 'Third_3-x']);
        }
        await scanner.stop();
      });

      // drivers that frame bytes; the fake emits scans already framed, real hardware needs a person
      if (name !== 'FakeScanner' && !name.includes('(real ')) it('one scan is one burst: what follows a scan without a pause is part of it, never a second scan', async () => {
        const { scanner, scan, timers } = make();
        assert.ok(scan && timers);
        const ev = record(scanner);
        await scanner.start();
        await settle();
        scan('ONE');
        scan('TWO');
        scan('THREE');
        await settle();
        timers.advance(SCAN_BURST_GAP_MS);
        scan('FOUR');
        await settle();
        assert.deepEqual(ev.lines, ['ONE', 'FOUR']);
        await scanner.stop();
      });

      it('stop() is idempotent, leaves it disconnected, emits nothing after; start() works again', async () => {
        const { scanner, scan } = make();
        const ev = record(scanner);
        await scanner.start();
        await scanner.stop();
        await scanner.stop();
        assert.equal(scanner.state, 'disconnected');
        try {
          scan?.('LATE');
        } catch {
          // a closed mock may refuse input; either way nothing may come out
        }
        await settle();
        assert.deepEqual(ev.lines, []);
        assert.deepEqual(ev.states, ['connected']);
        await scanner.start();
        await settle();
        assert.equal(scanner.state, 'connected');
        await scanner.stop();
      });
    });
  }
  after(() => MockBinding.reset());
});
