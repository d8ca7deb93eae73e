import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExportError } from '../../../sync/export/errors.js';
import { createOnStick } from '../../../sync/export/stick-files.js';
import { removeDir, tempDir } from '../../device/helpers.js';

describe('sync/export/stick-files', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('kiosk-stick-files-');
  });
  afterEach(() => removeDir(dir));

  it('never creates a batch file through a symlink a stick carries: refused, the file it points at untouched', async () => {
    const victim = path.join(dir, 'ledger-of-the-kiosk');
    writeFileSync(victim, 'precious');
    const file = path.join(dir, 'batch-000001.jsonl.123.partial');
    symlinkSync(victim, file);
    const target = { root: dir, stillThere: () => true };
    await assert.rejects(createOnStick(target, file), (err: unknown) => err instanceof ExportError && /ELOOP|symbolic|link/i.test(err.message));
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
  });

  it('creates and truncates a plain file', async () => {
    const file = path.join(dir, 'plain.partial');
    writeFileSync(file, 'old contents');
    const fh = await createOnStick({ root: dir, stillThere: () => true }, file);
    await fh.close();
    assert.equal(readFileSync(file, 'utf8'), '');
  });
});
