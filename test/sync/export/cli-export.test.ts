/** `kiosk export --to PATH --json`, the technician's export by hand, as a real process. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { verifyBatch } from '../../../protocol/batch-verify.js';
import { issue, makeKeys, MERCHANT_ID, PLATFORM_ID, removeDir, tempDir, writeKeyFiles } from '../../device/helpers.js';
import { KIOSK_CLI } from '../../device/spawn-kiosk.js';
import { writeIdentity } from '../../support/identity.js';

const env = { ...process.env, KIOSK_LOG_LEVEL: 'warn' };

function kiosk(args: string[], input?: string): string {
  return execFileSync(process.execPath, [KIOSK_CLI, ...args], { input, env, encoding: 'utf8' });
}

function events(out: string): Record<string, unknown>[] {
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('kiosk export', function () {
  this.timeout(60_000);
  let dir: string;
  let home: string;
  const keys = makeKeys();

  beforeEach(() => {
    dir = tempDir('kiosk-cli-export-');
    home = path.join(dir, 'home');
    const f = writeKeyFiles(dir, keys);
    kiosk(['provision', 'import', '--home', home, '--platform-id', PLATFORM_ID, '--platform-key', f.platformPub, '--merchant-id', MERCHANT_ID, '--merchant-key', f.merchantKey]);
    kiosk(['redeem', '--home', home, '-'], Array.from({ length: 4 }, () => issue(keys)).join('\n') + '\n');
  });
  afterEach(() => removeDir(dir));

  it('skips a platform added from PEM files (no terminal key), then exports once enrolled; again, nothing new', () => {
    const to = path.join(dir, 'stick');
    mkdirSync(to);
    const before = events(kiosk(['export', '--home', home, '--to', to, '--json']));
    const skipped = before.find((e) => e['state'] === 'skipped');
    assert.equal(skipped?.['reason'], 'NO_TERMINAL_IDENTITY');
    assert.equal(skipped?.['count'], 4);
    assert.equal(before.at(-1)?.['state'], 'done');
    assert.equal(before.at(-1)?.['count'], 0);

    // the technician replaces the PEM import by an enrollment (one platform id is never in both places)
    rmSync(path.join(home, 'trust.json'));
    const { publicKey } = writeIdentity(home, PLATFORM_ID, { terminalId: 'till-9' });
    const after = events(kiosk(['export', '--home', home, '--to', to, '--json']));
    const done = after.at(-1)!;
    assert.equal(done['state'], 'done');
    assert.equal(done['count'], 4);
    const [manifest, data] = done['files'] as string[];
    assert.match(String(manifest), /coupon-export\/test-platform\/till-9\/batch-000001\.manifest$/);
    const v = verifyBatch(readFileSync(manifest!), readFileSync(data!), { terminalKey: publicKey, previousManifestHash: null, previousSequence: 0 });
    assert.ok(v.ok, !v.ok ? v.message : '');
    assert.equal(v.records.length, 4);

    const again = events(kiosk(['export', '--home', home, '--to', to, '--json']));
    assert.equal(again.at(-1)?.['count'], 0);
  });

  it('refuses a PATH that is not a directory, and needs --to', () => {
    const r = spawnSync(process.execPath, [KIOSK_CLI, 'export', '--home', home, '--to', path.join(dir, 'nope')], { env });
    assert.equal(r.status, 1);
    assert.match(r.stderr.toString(), /is not a directory/);
    assert.equal(spawnSync(process.execPath, [KIOSK_CLI, 'export', '--home', home], { env }).status, 2);
  });
});
