import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, privateKeyToPem, publicKeyToPem } from '../../coupon/index.js';
import { HomeError, loadHome } from '../../device/home.js';
import { importKeys } from '../../provisioning/import.js';
import { needsRoot } from '../support/root.js';
import { MERCHANT_ID, PLATFORM_ID, makeKeys, removeDir, tempDir, type TestKeys } from '../device/helpers.js';

function input(home: string, keys: TestKeys, platformPem = publicKeyToPem(keys.platform.publicKey)) {
  return { home, platformId: PLATFORM_ID, platformKeyPem: platformPem, merchantId: MERCHANT_ID, merchantKeyPem: privateKeyToPem(keys.merchant.privateKey) };
}

describe('provisioning/import', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => removeDir(dir));

  it('writes trust.json and a 0600 key in a 0700 keys/ that loadHome accepts', () => {
    const keys = makeKeys();
    const home = path.join(dir, 'home');
    const r = importKeys(input(home, keys));
    assert.equal(r.platformAlg, -8);
    assert.equal(r.merchantKind, 'x25519');
    assert.equal(statSync(path.join(home, 'keys')).mode & 0o777, 0o700);
    assert.equal(statSync(r.merchantKeyFile).mode & 0o777, 0o600);
    const loaded = loadHome(home);
    assert.equal(loaded.platforms[0]?.platformId, PLATFORM_ID);
    assert.equal(Buffer.from(loaded.platforms[0]?.keys[0]?.kid ?? []).toString('hex'), r.platformKid);
    assert.equal(Buffer.from(loaded.merchantKeys[0]?.kid ?? []).toString('hex'), r.merchantKid);
    assert.equal(readdirSync(path.join(home, 'keys')).filter((n) => n.endsWith('.tmp')).length, 0);
  });

  it('is idempotent', () => {
    const keys = makeKeys();
    const first = importKeys(input(dir, keys));
    const trust = readFileSync(path.join(dir, 'trust.json'), 'utf8');
    const again = importKeys(input(dir, keys));
    assert.equal(again.trustChanged, false);
    assert.equal(again.keyWritten, false);
    assert.equal(readFileSync(path.join(dir, 'trust.json'), 'utf8'), trust);
    assert.equal(again.platformKid, first.platformKid);
  });

  it('takes a private platform PEM but stores only its public half; RSA gives alg -37', () => {
    const keys = makeKeys('rsa');
    const r = importKeys(input(dir, keys, privateKeyToPem(keys.platform.privateKey)));
    assert.equal(r.platformAlg, -37);
    assert.equal(r.merchantKind, 'rsa');
    const trust = readFileSync(path.join(dir, 'trust.json'), 'utf8');
    assert.doesNotMatch(trust, /PRIVATE/);
  });

  it('adds a second platform key (rotation) and a second platform without losing the first', () => {
    const keys = makeKeys();
    importKeys(input(dir, keys));
    const rotated = generateKeyPair('ed25519');
    importKeys({ ...input(dir, keys), platformKeyPem: publicKeyToPem(rotated.publicKey) });
    const other = generateKeyPair('ed25519');
    importKeys({ ...input(dir, keys), platformId: 'other-platform', platformKeyPem: publicKeyToPem(other.publicKey) });
    const loaded = loadHome(dir);
    assert.deepEqual(loaded.platforms.map((p) => [p.platformId, p.keys.length]), [[PLATFORM_ID, 2], ['other-platform', 1]]);
  });

  it('refuses to bind one signing key to a second platform', () => {
    const keys = makeKeys();
    importKeys(input(dir, keys));
    assert.throws(() => importKeys({ ...input(dir, keys), platformId: 'other-platform' }), /already bound to platform 'test-platform'/);
  });

  it('refuses an X25519 platform key and a public merchant key', () => {
    const keys = makeKeys();
    assert.throws(() => importKeys(input(dir, keys, publicKeyToPem(keys.merchant.publicKey))), /platform signing key must be Ed25519 or RSA, not x25519/);
    assert.throws(() => importKeys({ ...input(dir, keys), merchantKeyPem: publicKeyToPem(keys.merchant.publicKey) }), /merchant key: not a PEM private key/);
  });

  it('loadHome refuses a key readable by others, naming the chmod', () => {
    const keys = makeKeys();
    const r = importKeys(input(dir, keys));
    chmodSync(r.merchantKeyFile, 0o644);
    assert.throws(() => loadHome(dir), (e: unknown) => e instanceof HomeError && e.code === 'KEY_PERMISSIONS' && e.message.includes(`chmod 600 ${r.merchantKeyFile}`));
  });

  it('makes an existing home 0700: the ledger in it holds consumer ids', () => {
    const keys = makeKeys();
    const home = path.join(dir, 'home');
    mkdirSync(home, { mode: 0o755 });
    chmodSync(home, 0o755);
    importKeys(input(home, keys));
    assert.equal(statSync(home).mode & 0o777, 0o700);
  });

  it('loadHome refuses a key or keys/ that is a symlink, out of the home or not, naming the fix', () => {
    const keys = makeKeys();
    const r = importKeys(input(dir, keys));
    const outside = tempDir();
    try {
      const moved = path.join(outside, 'm.pem');
      renameSync(r.merchantKeyFile, moved);
      symlinkSync(moved, r.merchantKeyFile);
      assert.throws(() => loadHome(dir), (e: unknown) => e instanceof HomeError && e.code === 'KEY_PERMISSIONS' && /is a symlink \(to .*m\.pem\).*cp --remove-destination/.test(e.message));
      rmSync(r.merchantKeyFile);
      symlinkSync('m2.pem', r.merchantKeyFile); // a link inside keys/ is refused as well
      renameSync(moved, path.join(dir, 'keys', 'm2.pem'));
      assert.throws(() => loadHome(dir), (e: unknown) => e instanceof HomeError && e.code === 'KEY_PERMISSIONS');
      importKeys(input(dir, keys)); // import replaces the link by the file
      assert.equal(lstatSync(r.merchantKeyFile).isSymbolicLink(), false);
      rmSync(path.join(dir, 'keys', 'm2.pem'));
      renameSync(path.join(dir, 'keys'), path.join(outside, 'keys'));
      symlinkSync(path.join(outside, 'keys'), path.join(dir, 'keys'));
      assert.throws(() => loadHome(dir), (e: unknown) => e instanceof HomeError && e.code === 'KEY_PERMISSIONS' && /keys is a symlink/.test(e.message));
      assert.throws(() => importKeys(input(dir, keys)), /is a symlink/);
    } finally {
      removeDir(outside);
    }
  });

  it('loadHome refuses a key owned by another user (as OpenSSH does), naming the chown', function () {
    needsRoot(this); // only root can give a file away
    const keys = makeKeys();
    const r = importKeys(input(dir, keys));
    // the kiosk user (4243) owns its home and keys/; another user (4242) owns the key
    chownSync(dir, 4243, 4243);
    chownSync(path.join(dir, 'keys'), 4243, 4243);
    chownSync(r.merchantKeyFile, 4242, 4242);
    const child = spawnSync(process.execPath, ['-e', `
      process.setgid(4242); process.setuid(4243);
      import(${JSON.stringify(new URL('../../device/home.js', import.meta.url).href)}).then((m) => { try { m.loadHome(${JSON.stringify(dir)}); console.log('loaded'); } catch (e) { console.log(e.code, e.message); } });
    `]);
    assert.match(child.stdout.toString(), /KEY_PERMISSIONS .*owned by uid 4242, not by uid 4243.*chown 4243/);
  });

  it('loadHome refuses a trust.json kid that does not match its key', () => {
    const keys = makeKeys();
    const r = importKeys(input(dir, keys));
    const file = path.join(dir, 'trust.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(r.platformKid, '00'.repeat(8)));
    assert.throws(() => loadHome(dir), (e: unknown) => e instanceof HomeError && e.code === 'KID_MISMATCH');
  });
});
