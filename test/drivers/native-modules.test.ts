/**
 * The native modules load and work on the Node running the tests: CI runs the
 * suite on the oldest supported Node and on the current LTS, each after its own
 * `npm install`, so a module built for the wrong ABI, or not building at all
 * on a new Node, fails here and not on a device.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

describe(`native modules on Node ${process.version} (ABI ${process.versions.modules})`, () => {
  it('better-sqlite3 runs SQL', () => {
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(':memory:');
    try {
      assert.equal((db.prepare('SELECT 6 * 7 AS n').get() as { n: number }).n, 42);
    } finally {
      db.close();
    }
  });

  it('@serialport/bindings-cpp opens, configures and closes a tty (a pty master)', async () => {
    type Port = { isOpen: boolean; getBaudRate(): Promise<{ baudRate: number }>; close(): Promise<void> };
    const { autoDetect } = require('@serialport/bindings-cpp') as { autoDetect(): { open(o: object): Promise<Port> } };
    const port = await autoDetect().open({ path: '/dev/ptmx', baudRate: 115200 });
    try {
      assert.equal(port.isOpen, true);
      assert.equal((await port.getBaudRate()).baudRate, 115200);
    } finally {
      await port.close();
    }
  });

  it('i2c-bus loads its addon (opening a bus needs the hardware)', () => {
    const i2c = require('i2c-bus') as { openPromisified?: unknown };
    assert.equal(typeof i2c.openPromisified, 'function');
  });

  it('node-hid loads its hidraw backend and enumerates (needs libusb-1.0-0 and libudev1)', () => {
    const hid = require('node-hid') as { setDriverType(t: string): void; devices(): unknown[] };
    hid.setDriverType('hidraw');
    assert.ok(Array.isArray(hid.devices()));
  });
});
