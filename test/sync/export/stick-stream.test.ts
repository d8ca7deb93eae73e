import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ExportError } from '../../../sync/export/errors.js';
import { createOnStick } from '../../../sync/export/stick-files.js';
import { StickStream } from '../../../sync/export/stick-stream.js';
import { removeDir, tempDir } from '../../device/helpers.js';

/** A real file whose datasync/fsync can be made to fail, as a stick's write-back error does (reported to one call only). */
function failing(fh: FileHandle, failDatasync: number[]): { fh: FileHandle; calls: { datasync: number; sync: number } } {
  const calls = { datasync: 0, sync: 0 };
  const eio = (): NodeJS.ErrnoException => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  const proxy = new Proxy(fh, {
    get(t, k) {
      if (k === 'datasync') {
        return async () => {
          calls.datasync += 1;
          if (failDatasync.includes(calls.datasync)) throw eio();
          return t.datasync();
        };
      }
      if (k === 'sync') {
        return async () => {
          calls.sync += 1;
          return t.sync();
        };
      }
      const v = Reflect.get(t, k) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  return { fh: proxy, calls };
}

describe('sync/export/stick-stream', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('kiosk-stick-stream-');
  });
  afterEach(() => removeDir(dir));
  const target = (): { root: string; stillThere: () => boolean } => ({ root: dir, stillThere: () => true });

  it('writes every chunk in order, one flush in flight at a time, the next once it is done, and fsyncs at the end', async () => {
    const file = path.join(dir, 'data.partial');
    const real = await createOnStick(target(), file);
    // each flush waits until the test lets it finish: no timing, only order
    const held: (() => void)[] = [];
    let holding = true;
    let syncs = 0;
    const fh = new Proxy(real, {
      get(t, k) {
        if (k === 'datasync') return () => (holding ? new Promise<void>((resolve) => held.push(resolve)) : t.datasync());
        if (k === 'sync') return () => (syncs++, t.sync());
        const v = Reflect.get(t, k) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
    const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    const out = new StickStream(target(), fh, file, 10);
    const parts = Array.from({ length: 20 }, (_, i) => Buffer.from(`line ${i}\n`));
    for (const p of parts.slice(0, 8)) await out.append(p);
    assert.equal(held.length, 1, 'one flush started once 10 bytes were written, and no second one while it runs');
    held.shift()!();
    await settle();
    await out.append(parts[8]!);
    assert.equal(held.length, 1, 'the next flush starts at the first append after the first one finished');
    holding = false;
    held.shift()!();
    for (const p of parts.slice(9)) await out.append(p);
    await out.finish();
    assert.equal(readFileSync(file, 'utf8'), parts.map(String).join(''));
    assert.equal(syncs, 1, 'one closing fsync');
  });

  it('a flush that failed while the next chunks were written fails the file, even when the closing fsync succeeds', async () => {
    const file = path.join(dir, 'data.partial');
    const { fh, calls } = failing(await createOnStick(target(), file), [1]);
    const out = new StickStream(target(), fh, file, 1);
    // the failing flush settles while later appends run; whichever call comes next must report it
    const err = await (async () => {
      try {
        for (let i = 0; i < 50; i++) await out.append(Buffer.from(`chunk ${i}\n`));
        await out.finish();
      } catch (e) {
        await out.abandon();
        return e;
      }
      return undefined;
    })();
    assert.ok(calls.datasync >= 1);
    assert.ok(err instanceof ExportError, `expected an ExportError, got ${String(err)}`);
    assert.match(err.message, /flush .*data\.partial.*EIO/);
  });

  it('a failed write surfaces from the next call and the file is closed by abandon', async () => {
    const file = path.join(dir, 'data.partial');
    const fh = await createOnStick(target(), file);
    const out = new StickStream(target(), fh, file, 1 << 20);
    await out.append(Buffer.from('first\n'));
    await fh.close(); // the next write fails: EBADF, as a stick gone under a handle does
    await out.append(Buffer.from('second\n')).catch(() => undefined);
    await assert.rejects(out.finish(), ExportError);
  });
});
