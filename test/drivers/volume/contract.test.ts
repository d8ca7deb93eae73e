/**
 * One contract, three drivers: the fake, the mount-table watcher over a table
 * file the test writes, and the mount-table watcher over the real
 * /proc/self/mountinfo with ext4 images loop-mounted under a temp root (root only).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeVolumeWatcher } from '../../../drivers/volume/fake.js';
import { MountTableWatcher } from '../../../drivers/volume/mount-table.js';
import type { Volume, VolumeWatcher } from '../../../drivers/volume/port.js';
import { requireMounts, TestStick } from '../../support/mounts.js';

interface Driver {
  watcher: VolumeWatcher;
  /** make a stick appear at root/name */
  insert(name: string): void;
  remove(name: string): void;
  cleanup(): void;
}

type MakeDriver = (root: string) => Driver;

const fake: MakeDriver = (root) => {
  const w = new FakeVolumeWatcher();
  return {
    watcher: w,
    insert: (name) => {
      mkdirSync(path.join(root, name));
      w.insert(path.join(root, name));
    },
    remove: (name) => w.remove(path.join(root, name)),
    cleanup: () => undefined,
  };
};

function replace(file: string, text: string): void {
  writeFileSync(`${file}.new`, text);
  renameSync(`${file}.new`, file);
}

/** The real watcher, over a mount table file: mount ids from 100 up. */
const tableFile: MakeDriver = (root) => {
  const table = path.join(root, '..', `mountinfo-${path.basename(root)}`);
  writeFileSync(table, '22 1 179:2 / / rw - ext4 /dev/root rw\n');
  let id = 100;
  const w = new MountTableWatcher({ roots: [root], pollMs: 10, table, unmount: null });
  return {
    watcher: w,
    // each change replaces the table whole (write, then rename), as the kernel's table changes for a reader: a poll never sees half of one
    insert: (name) => replace(table, readFileSync(table, 'utf8') + `${id++} 22 8:${id} / ${path.join(root, name)} rw - vfat /dev/sd${name} rw\n`),
    remove: (name) => {
      const lines = readFileSync(table, 'utf8').split('\n');
      replace(table, lines.filter((l) => !l.includes(` ${path.join(root, name)} `)).join('\n'));
    },
    cleanup: () => rmSync(table, { force: true }),
  };
};

const realMounts: MakeDriver = (root) => {
  const sticks = new Map<string, TestStick>();
  const images = mkdtempSync(path.join(os.tmpdir(), 'kiosk-img-'));
  return {
    watcher: new MountTableWatcher({ roots: [root], pollMs: 20, unmount: null }),
    insert: (name) => {
      const s = TestStick.create('ext4', images, name, path.join(root, name), 4).mount();
      sticks.set(name, s);
    },
    remove: (name) => sticks.get(name)?.umount(),
    cleanup: () => {
      for (const s of sticks.values()) s.cleanup();
      rmSync(images, { recursive: true, force: true });
    },
  };
};

function contract(label: string, make: MakeDriver, needsRoot = false): void {
  describe(`volume watcher contract: ${label}`, () => {
    let base: string;
    let root: string;
    let d: Driver;
    beforeEach(function () {
      if (needsRoot) requireMounts(this, 'ext4');
      base = mkdtempSync(path.join(os.tmpdir(), 'kiosk-vol-'));
      root = path.join(base, 'media');
      mkdirSync(root);
      d = make(root);
    });
    afterEach(async () => {
      await d?.watcher.stop();
      d?.cleanup();
      if (base) rmSync(base, { recursive: true, force: true });
    });

    it('reports what is mounted at start, then what comes and goes', async () => {
      d.insert('a');
      const seen: string[] = [];
      d.watcher.on('added', (v) => seen.push(`+${path.basename(v.mountPoint)}`));
      d.watcher.on('removed', (v) => seen.push(`-${path.basename(v.mountPoint)}`));
      await d.watcher.start();
      assert.deepEqual(seen, ['+a']);
      const added = once(d.watcher, 'added') as Promise<[Volume]>;
      d.insert('b');
      const [b] = await added;
      assert.equal(b.mountPoint, path.join(root, 'b'));
      assert.equal(d.watcher.isMounted(b), true);
      assert.deepEqual(d.watcher.volumes().map((v) => path.basename(v.mountPoint)).sort(), ['a', 'b']);
      const removed = once(d.watcher, 'removed') as Promise<[Volume]>;
      d.remove('b');
      const [gone] = await removed;
      assert.equal(gone.id, b.id);
      assert.equal(d.watcher.isMounted(b), false);
      assert.deepEqual(seen, ['+a', '+b', '-b']);
    });

    it("gives a volume whose dev is its files' st_dev", async () => {
      d.insert('c');
      await d.watcher.start();
      const [v] = d.watcher.volumes();
      assert.ok(v);
      if (label !== 'mount table file') assert.equal(v.dev, statSync(v.mountPoint).dev);
      assert.equal(v.readOnly, false);
    });

    it('stays stopped when stop() comes while start() is still under way', async () => {
      d.insert('e');
      const starting = d.watcher.start();
      await d.watcher.stop();
      await starting;
      let events = 0;
      d.watcher.on('added', () => events++);
      d.insert('f');
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(events, 0);
    });

    it('emits nothing after stop()', async () => {
      await d.watcher.start();
      await d.watcher.stop();
      let events = 0;
      d.watcher.on('added', () => events++);
      d.insert('d');
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(events, 0);
    });
  });
}

contract('fake', fake);
contract('mount table file', tableFile);
contract('real mounts (ext4 on loop)', realMounts, true);

describe('MountTableWatcher', () => {
  it('reports an unreadable table once, keeps watching, and rejects start() when there is no table at all', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-vol-'));
    const table = path.join(dir, 'mountinfo');
    await assert.rejects(new MountTableWatcher({ roots: ['/media'], pollMs: 5, table }).start(), /ENOENT/);
    writeFileSync(table, '');
    const w = new MountTableWatcher({ roots: ['/media'], pollMs: 5, table });
    const errors: string[] = [];
    w.on('error', (e) => errors.push(e.code));
    await w.start();
    rmSync(table);
    await once(w, 'error');
    writeFileSync(table, '40 22 8:1 / /media/s rw - vfat /dev/sda1 rw\n');
    await once(w, 'added');
    await w.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(errors, ['MOUNT_TABLE_UNREADABLE']);
  });

  it('sees a remount that flips read-only as removed then added', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-vol-'));
    const table = path.join(dir, 'mountinfo');
    writeFileSync(table, '40 22 8:1 / /media/s rw - vfat /dev/sda1 rw\n');
    const w = new MountTableWatcher({ roots: ['/media'], pollMs: 5, table });
    await w.start();
    const events: string[] = [];
    w.on('removed', (v) => events.push(`-${String(v.readOnly)}`));
    w.on('added', (v) => events.push(`+${String(v.readOnly)}`));
    const added = once(w, 'added');
    writeFileSync(table, '40 22 8:1 / /media/s ro - vfat /dev/sda1 rw\n');
    await added;
    await w.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(events, ['-false', '+true']);
  });

  it('ejects through the injected unmount, and says why when it cannot', async () => {
    const calls: string[] = [];
    const ok = new MountTableWatcher({ roots: ['/media'], pollMs: 5, unmount: async (mp) => void calls.push(mp) });
    const v: Volume = { id: '1', mountPoint: '/media/s', source: '/dev/sda1', family: 'fat', fsType: 'vfat', readOnly: false, dev: 1 };
    assert.deepEqual(await ok.eject(v), { ejected: true });
    assert.deepEqual(calls, ['/media/s']);
    const refused = new MountTableWatcher({ roots: ['/media'], pollMs: 5, unmount: () => Promise.reject(new Error('Access denied')) });
    assert.deepEqual(await refused.eject(v), { ejected: false, reason: 'Access denied' });
    const off = new MountTableWatcher({ roots: ['/media'], pollMs: 5, unmount: null });
    assert.equal((await off.eject(v)).ejected, false);
  });
});

describe('FakeVolumeWatcher over a directory (the simulated kiosk)', () => {
  it('takes each subdirectory as a stick, read-only when it ends in .ro, and notices it going', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-sim-'));
    const w = new FakeVolumeWatcher({ dir: path.join(dir, 'usb-sim'), pollMs: 10 });
    const seen: string[] = [];
    w.on('added', (v) => seen.push(`+${path.basename(v.mountPoint)}${v.readOnly ? ' ro' : ''}`));
    w.on('removed', (v) => seen.push(`-${path.basename(v.mountPoint)}`));
    await w.start(); // no directory yet: no sticks
    mkdirSync(path.join(dir, 'usb-sim', 'stick1'), { recursive: true });
    mkdirSync(path.join(dir, 'usb-sim', 'locked.ro'));
    await new Promise((r) => setTimeout(r, 60));
    rmSync(path.join(dir, 'usb-sim', 'stick1'), { recursive: true });
    await new Promise((r) => setTimeout(r, 60));
    await w.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(seen.sort(), ['+locked.ro ro', '+stick1', '-stick1']);
  });
});
