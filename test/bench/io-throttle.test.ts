/**
 * The bench's stick-speed runs are only as true as their throttle: writes
 * this process fsyncs to a loop device really are held to the bandwidth
 * asked for, and the process leaves its group afterwards. A lower bound on
 * time (the kernel cannot write faster than the limit), never an upper one.
 */
import assert from 'node:assert/strict';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { deviceNumbers, throttleProblem, withWriteLimit } from '../../bench/io-throttle.js';
import { requireMounts, TestStick } from '../support/mounts.js';

describe('bench io-throttle: writes to one device held to a stick\'s bandwidth', function () {
  this.timeout(60_000);
  let dir: string;
  let stick: TestStick | undefined;

  beforeEach(function () {
    requireMounts(this, 'ext4');
    // wherever loop mounts work (root), the bench's throttle must work too: a missing controller fails here, never skips
    assert.equal(throttleProblem(), undefined);
    dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-throttle-'));
    stick = TestStick.create('ext4', dir, 'stick', path.join(dir, 'mnt'), 64).mount();
  });
  afterEach(() => {
    stick?.cleanup();
    stick = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const writeAndSync = (file: string, mib: number): number => {
    const t0 = performance.now();
    const fd = openSync(file, 'w');
    const block = Buffer.alloc(1 << 20, 7);
    for (let i = 0; i < mib; i++) writeSync(fd, block);
    fsyncSync(fd);
    closeSync(fd);
    return performance.now() - t0;
  };

  it('8 MiB fsynced at 8 MB/s take at least a second; the process is back in its own group after', async () => {
    const device = stick!.device!;
    assert.match(deviceNumbers(device), /^\d+:\d+$/);
    const before = readFileSync('/proc/self/cgroup', 'utf8');
    const ms = await withWriteLimit(device, 8e6, () => Promise.resolve(writeAndSync(path.join(dir, 'mnt', 'a.bin'), 8)));
    assert.ok(ms >= 950, `8 MiB at 8 MB/s in ${ms.toFixed(0)} ms`);
    assert.equal(readFileSync('/proc/self/cgroup', 'utf8'), before);
    const freeMs = writeAndSync(path.join(dir, 'mnt', 'b.bin'), 8);
    assert.ok(freeMs < ms, `without the limit: ${freeMs.toFixed(0)} ms`);
  });
});
