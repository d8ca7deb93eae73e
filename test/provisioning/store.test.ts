/**
 * The key store on disk: the OpenSSH rules for key files (mode, symlink,
 * owner) with the command that fixes each, files that do not match what
 * enrollment signed, keys from systemd's credentials directory, one writer
 * at a time, and a removal that a kill -9 cannot leave half done.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HomeError } from '../../device/home-error.js';
import { memoryLogger } from '../../device/logger.js';
import { loadHomeKeys } from '../../provisioning/home-keys.js';
import { CREDENTIAL } from '../../provisioning/store/layout.js';
import { enrolledIds, loadPlatform } from '../../provisioning/store/load.js';
import { withStoreLock } from '../../provisioning/store/lock.js';
import { cleanLeftovers } from '../../provisioning/store/write.js';
import { removePlatform } from '../../provisioning/remove.js';
import { needTool } from '../support/host-tool.js';
import { needsRoot } from '../support/root.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { FakePlatform } from './fake-platform.js';
import { enrollFake } from './helpers.js';

const refused = (code: string, message: RegExp) => (err: unknown) => err instanceof HomeError && err.code === code && message.test(err.message);

describe('provisioning/store: the key store on disk', () => {
  let dir: string;
  let home: string;
  let pdir: string;
  let merchantFile: string;
  const load = () => loadPlatform(home, 'plat', { credentials: undefined });
  beforeEach(async () => {
    dir = tempDir('store-');
    home = path.join(dir, 'home');
    await enrollFake(new FakePlatform('plat', 'shop'), home).run();
    pdir = path.join(home, 'platforms/plat');
    merchantFile = path.join(pdir, 'keys', readdirSync(path.join(pdir, 'keys'))[0]!);
  });
  afterEach(() => removeDir(dir));

  it('refuses a private key others can read, naming the chmod', () => {
    chmodSync(path.join(pdir, 'terminal.pem'), 0o644);
    assert.throws(load, refused('KEY_PERMISSIONS', /terminal\.pem has mode 644.*chmod 600/));
    chmodSync(path.join(pdir, 'terminal.pem'), 0o600);
    chmodSync(path.join(pdir, 'keys'), 0o755);
    assert.throws(load, refused('KEY_PERMISSIONS', /keys has mode 755.*chmod 700/));
    chmodSync(path.join(pdir, 'keys'), 0o700);
    chmodSync(merchantFile, 0o640);
    assert.throws(() => loadHomeKeys(home, { credentials: undefined }), refused('KEY_PERMISSIONS', /chmod 600/));
  });

  it('refuses a key, a keys/ folder or a platform folder that is a symlink, naming the fix', () => {
    const outside = path.join(dir, 'outside');
    mkdirSync(outside, { mode: 0o700 });
    copyFileSync(path.join(pdir, 'wrap.pem'), path.join(outside, 'wrap.pem'));
    rmSync(path.join(pdir, 'wrap.pem'));
    symlinkSync(path.join(outside, 'wrap.pem'), path.join(pdir, 'wrap.pem'));
    assert.throws(load, refused('KEY_PERMISSIONS', /wrap\.pem is a symlink.*Run: cp --remove-destination/));
    rmSync(path.join(pdir, 'wrap.pem'));
    copyFileSync(path.join(outside, 'wrap.pem'), path.join(pdir, 'wrap.pem'));
    renameSync(pdir, path.join(outside, 'plat'));
    symlinkSync(path.join(outside, 'plat'), pdir);
    assert.throws(load, refused('KEY_PERMISSIONS', /plat is a symlink/));
  });

  it('refuses a key owned by another user (as OpenSSH does), naming the chown', function () {
    needsRoot(this);
    chmodSync(dir, 0o711); // the temp folder above the home
    execFileSync('chown', ['-R', '4243:4243', home]);
    chownSync(path.join(pdir, 'terminal.pem'), 4242, 4242);
    const child = spawnSync(process.execPath, ['-e', `
      process.setgid(4243); process.setuid(4243);
      import(${JSON.stringify(new URL('../../provisioning/store/load.js', import.meta.url).href)}).then((m) => { try { m.loadPlatform(${JSON.stringify(home)}, 'plat', { credentials: undefined }); console.log('loaded'); } catch (e) { console.log(e.code, e.message); } });
    `]);
    assert.match(child.stdout.toString(), /KEY_PERMISSIONS .*terminal\.pem is owned by uid 4242, not by uid 4243.*chown 4243/);
  });

  it('refuses files that do not match what the platform signed or their own names', () => {
    const recordFile = path.join(pdir, 'enrollment.json');
    const record = readFileSync(recordFile, 'utf8');
    writeFileSync(recordFile, record.replace(/"terminalKid": "[0-9a-f]{16}"/, '"terminalKid": "0000000000000000"'), { mode: 0o600 });
    assert.throws(load, refused('ENROLLMENT_INVALID', /terminalKid differ from the signed enrollment document/));
    writeFileSync(recordFile, record, { mode: 0o600 });
    renameSync(merchantFile, path.join(pdir, 'keys', 'merchant-0000000000000000.pem'));
    assert.throws(load, refused('KID_MISMATCH', /its name says 0000000000000000/));
    renameSync(path.join(pdir, 'keys', 'merchant-0000000000000000.pem'), merchantFile);
    const trustFile = path.join(pdir, 'trust-bundle.json');
    const other = new FakePlatform('plat');
    const forged = { ...JSON.parse(readFileSync(trustFile, 'utf8')), document: Buffer.from(other.trustDocument([new FakePlatform().keys[0]!])).toString('base64') };
    writeFileSync(trustFile, JSON.stringify(forged), { mode: 0o600 });
    assert.throws(load, refused('TRUST_INVALID', /not signed by any of its own keys/));
  });

  it('one platform id in trust.json and enrolled: the home is refused (PLATFORM_CONFLICT)', () => {
    const p = load();
    const key = p.trust.bundle.keys[0]!;
    writeFileSync(path.join(home, 'trust.json'), JSON.stringify({ platforms: [{ id: 'plat', merchantId: 'shop', keys: [{ kid: key.kid, alg: -8, publicKey: key.publicKey }] }] }));
    assert.throws(() => loadHomeKeys(home, { credentials: undefined }), refused('PLATFORM_CONFLICT', /both in .*trust\.json.*and enrolled/));
  });

  it('keys in $CREDENTIALS_DIRECTORY (LoadCredentialEncrypted=) are read from there, under the documented names', () => {
    const p = load();
    const creds = path.join(dir, 'credentials');
    mkdirSync(creds, { mode: 0o500 });
    const merchantKid = p.merchantKeys[0]!.kidHex;
    const moves: [string, string][] = [['terminal.pem', CREDENTIAL.terminal('plat')], ['wrap.pem', CREDENTIAL.wrap('plat')], [`keys/merchant-${merchantKid}.pem`, CREDENTIAL.merchant('plat', merchantKid)]];
    chmodSync(creds, 0o700);
    for (const [from, to] of moves) {
      copyFileSync(path.join(pdir, from), path.join(creds, to));
      chmodSync(path.join(creds, to), 0o400);
      rmSync(path.join(pdir, from));
    }
    chmodSync(creds, 0o500);
    assert.throws(load, refused('KEY_INVALID', /terminal\.pem is missing/), 'without the credentials the keys are gone');
    const fromCreds = loadPlatform(home, 'plat', { credentials: creds });
    assert.deepEqual([fromCreds.terminalKey.origin, fromCreds.wrapKey.origin, fromCreds.merchantKeys[0]!.origin], ['credentials', 'credentials', 'credentials']);
    assert.equal(fromCreds.terminalKey.kid, p.terminalKey.kid);
    assert.equal(loadHomeKeys(home, { credentials: creds }).snapshot.keyring.merchantKeys.length, 1);
    chmodSync(creds, 0o700);
    chmodSync(path.join(creds, CREDENTIAL.wrap('plat')), 0o444);
    assert.throws(() => loadPlatform(home, 'plat', { credentials: creds }), refused('KEY_PERMISSIONS', /mode 444/));
  });

  it('systemd-creds encrypt / decrypt (the documented technician steps) round-trip a key under its credential name', function () {
    needTool(this, 'systemd-creds', 'apt-get install systemd');
    const name = CREDENTIAL.terminal('plat');
    const cred = path.join(dir, `${name}.cred`);
    execFileSync('systemd-creds', ['encrypt', `--name=${name}`, path.join(pdir, 'terminal.pem'), cred], { stdio: ['ignore', 'ignore', 'ignore'] });
    assert.doesNotMatch(readFileSync(cred, 'latin1'), /PRIVATE KEY/, 'encrypted at rest');
    const plain = execFileSync('systemd-creds', ['decrypt', `--name=${name}`, cred, '-'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    assert.equal(plain, readFileSync(path.join(pdir, 'terminal.pem'), 'utf8'));
  });

  it('one writer at a time: in-process writers queue, a dead holder\'s lock is taken over, a live one makes STORE_BUSY', async () => {
    const order: string[] = [];
    const slow = (name: string) => withStoreLock(home, name, async () => {
      order.push(`${name}+`);
      await new Promise((r) => setTimeout(r, 30));
      order.push(`${name}-`);
    });
    await Promise.all([slow('a'), slow('b')]);
    assert.deepEqual(order, ['a+', 'a-', 'b+', 'b-']);
    const lock = path.join(home, 'platforms/.lock');
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString().trim();
    writeFileSync(lock, JSON.stringify({ pid: Number(dead), what: 'killed', since: 'then' }));
    assert.equal(await withStoreLock(home, 'after a kill -9', () => 'ran'), 'ran');
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, what: 'kiosk provision refresh', since: 'now' }));
    await assert.rejects(withStoreLock(home, 'second', () => 'never', { waitMs: 150 }), /STORE_BUSY|in use by process .*kiosk provision refresh/);
    rmSync(lock);
  });

  it('remove: refused with unsent redemptions (counted) unless forced; a kill -9 after the rename leaves nothing half-removed', async () => {
    const backlog = { notUploaded: 3, notExported: 2, unsent: 2 };
    await assert.rejects(removePlatform(home, 'plat', { backlog: () => backlog, logger: memoryLogger().logger }), /UNSENT_REDEMPTIONS|2 redemption\(s\) that reached it neither .*3 not uploaded, 2 not exported/);
    assert.deepEqual(enrolledIds(home), ['plat']);
    const script = `import(${JSON.stringify(new URL('../../provisioning/remove.js', import.meta.url).href)}).then((m) => m.removePlatform(${JSON.stringify(home)}, 'plat', { force: true, backlog: () => undefined, logger: { child: () => ({ warn() {} }) } }))`;
    const child = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, KIOSK_TEST_CRASH_AT: 'remove:renamed' } });
    assert.equal(child.signal, 'SIGKILL');
    assert.deepEqual(enrolledIds(home), [], 'gone in one step');
    assert.equal(readdirSync(path.join(home, 'platforms')).filter((n) => n.startsWith('.removing-')).length, 1);
    assert.deepEqual(loadHomeKeys(home, { credentials: undefined }).enrolled, []);
    cleanLeftovers(home, Date.now());
    assert.equal(readdirSync(path.join(home, 'platforms')).filter((n) => n.startsWith('.removing-')).length, 0);
  });
});
