/**
 * The reloader keeps a running kiosk's keyring in step with its home: a
 * write by another process is seen within the poll period, a home that no
 * longer loads keeps the old keys (logged), an in-process write reloads at once.
 */
import assert from 'node:assert/strict';
import { chmodSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { KeyringHolder } from '../../device/keyring-holder.js';
import { memoryLogger } from '../../device/logger.js';
import { loadHomeKeys } from '../../provisioning/home-keys.js';
import { KeyringReloader } from '../../provisioning/reloader.js';
import { pullState } from '../../sync/terminal-state.js';
import { bumpGeneration } from '../../provisioning/store/write.js';
import { loadPlatform } from '../../provisioning/store/load.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { FakePlatform, merchantKey } from './fake-platform.js';
import { enrollFake } from './helpers.js';

const until = async (check: () => boolean, ms = 3000) => {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) assert.fail('not within time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('provisioning/reloader', () => {
  let dir: string;
  let home: string;
  beforeEach(() => {
    dir = tempDir('reload-');
    home = path.join(dir, 'home');
  });
  afterEach(() => removeDir(dir));

  it('picks up an enrollment and a refresh made elsewhere; keeps the old keys while the home does not load', async () => {
    const load = () => loadHomeKeys(home, { credentials: undefined }).snapshot;
    const holder = new KeyringHolder(load());
    const { logger, lines } = memoryLogger('info');
    const reloader = new KeyringReloader({ home, holder, load, logger, pollMs: 50 });
    reloader.start();
    try {
      const fake = new FakePlatform('plat', 'shop');
      await enrollFake(fake, home).run();
      await until(() => holder.keyring.merchantKeys.length === 1);
      fake.merchantKeys.push(merchantKey());
      await pullState({ home, platform: loadPlatform(home, 'plat', { credentials: undefined }), logger, transport: { exchange: fake.exchange } });
      await until(() => holder.keyring.merchantKeys.length === 2);
      const keysDir = path.join(home, 'platforms/plat/keys');
      chmodSync(path.join(keysDir, readdirSync(keysDir)[0]!), 0o644);
      bumpGeneration(home); // as any write does
      await until(() => lines.some((l) => /keys not reloaded/.test(String(l['msg']))));
      assert.equal(holder.keyring.merchantKeys.length, 2, 'the keys the kiosk had');
    } finally {
      reloader.stop();
    }
  });

  it('reload() at once, for a write in this process', async () => {
    const load = () => loadHomeKeys(home, { credentials: undefined }).snapshot;
    const holder = new KeyringHolder(load());
    const reloader = new KeyringReloader({ home, holder, load, logger: memoryLogger().logger, pollMs: 60_000 });
    await enrollFake(new FakePlatform('plat', 'shop'), home).run();
    assert.equal(holder.keyring.platforms.length, 0);
    assert.equal(reloader.reload('sync worker applied a state'), true);
    assert.equal(holder.keyring.platforms.length, 1);
  });
});
