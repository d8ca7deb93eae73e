/**
 * After enrollment, against the real service (`serve` on PGlite): the
 * offline bundle, rotation end to end (platform key with an overlap, merchant
 * key to a kiosk that was offline), a running kiosk taking new keys and a
 * disabled terminal without a restart, removal, keys from systemd's
 * credentials directory, doctor.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CREDENTIAL } from '../../provisioning/store/layout.js';
import { preparedDataDir } from '../support/pglite.js';
import { needTool } from '../support/host-tool.js';
import { spawnServe, type ServeProcess } from '../platform/spawn-serve.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { spawnKiosk, isVerdict } from '../device/spawn-kiosk.js';
import { json, kioskRun, ok, platformRun } from './cli.js';
import { picture } from './helpers.js';

const PASSPHRASE = 'correct horse battery staple';

describe('after enrollment: bundles, rotation, a running kiosk, removal (real service, PGlite)', function () {
  this.timeout(180_000);
  let dir: string;
  let data: string;
  let serve: ServeProcess;
  let platformKid: string;
  const admin = (...args: string[]) => ok(platformRun([...args, '--url', serve.url, '--data', data]));
  const home = (name: string) => path.join(dir, name);
  const enroll = (h: string) => {
    // the token and the kid of the platform's newest key (a rotation below retires the first)
    const t = JSON.parse(admin('enroll-token', '--merchant', 'shop-1', '--branch', 'north', '--json')) as { token: string; platformKid: string };
    return ok(kioskRun(['provision', 'enroll', '--home', h, '--url', serve.url, '--token', t.token, '--expect-platform-kid', t.platformKid, '--json']));
  };
  const issue = () => admin('issue', '--aud', 'shop-1', '--sub', 'u', '--product', 'p', '--quantity', '1').trim();
  const redeem = (h: string, ...coupons: string[]) =>
    ok(kioskRun(['redeem', '--home', h, '-'], { input: coupons.join('\n') + '\n' })).trim().split('\n').map((l) => (JSON.parse(l) as { reason: string; message: string }));
  const refresh = (h: string) => kioskRun(['provision', 'refresh', '--home', h, '--json']);

  before(async () => {
    dir = tempDir('lifecycle-');
    data = await preparedDataDir();
    serve = await spawnServe(['--data', data, '--platform-id', 'meituan-01']);
    admin('merchant', 'add', '--id', 'shop-1');
    admin('branch', 'add', '--merchant', 'shop-1', '--id', 'north');
    platformKid = (JSON.parse(admin('keys', 'list', '--json')) as { keys: { kid: string }[] }).keys[0]!.kid;
    writeFileSync(path.join(dir, 'pass'), PASSPHRASE + '\n');
  });
  after(async () => {
    if (serve && serve.child.exitCode === null) await serve.stop();
    rmSync(data, { recursive: true, force: true });
    removeDir(dir);
  });

  it('offline bundle: imported all at once with the passphrase (file, environment, terminal prompt); a wrong one, a tampered file or a kill -9 leave nothing', async function () {
    const file = path.join(dir, 'till.bundle');
    admin('bundle', '--merchant', 'shop-1', '--branch', 'north', '--passphrase-file', path.join(dir, 'pass'), '--out', file);
    const args = (h: string) => ['provision', 'import', '--home', h, '--bundle', file, '--expect-platform-kid', platformKid, '--url', serve.url, '--json'];
    const wrong = kioskRun(args(home('b-wrong')), { env: { KIOSK_BUNDLE_PASSPHRASE: 'not the passphrase at all' } });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /WRONG_PASSPHRASE/);
    const text = readFileSync(file, 'utf8');
    const tampered = path.join(dir, 'tampered.bundle');
    writeFileSync(tampered, text.replace(/"branchId":\s*"north"/, '"branchId": "south"'));
    assert.notEqual(readFileSync(tampered, 'utf8'), text);
    const bad = kioskRun(['provision', 'import', '--home', home('b-wrong'), '--bundle', tampered, '--passphrase-file', path.join(dir, 'pass')]);
    assert.match(bad.stderr, /BUNDLE_INVALID: .*branchId of the file differ from its signed enrollment document/);
    const killed = kioskRun([...args(home('b-wrong')), '--passphrase-file', path.join(dir, 'pass')], { env: { KIOSK_TEST_CRASH_AT: 'install:staged' } });
    assert.equal(killed.signal, 'SIGKILL');
    assert.deepEqual(picture(home('b-wrong')).filter((p) => !p.startsWith('platforms ')), []);
    const viaEnv = json(kioskRun(args(home('b-env')), { env: { KIOSK_BUNDLE_PASSPHRASE: PASSPHRASE } }));
    assert.equal(viaEnv['ok'], true);
    assert.deepEqual(viaEnv['anchor'], { mode: 'pinned', kid: platformKid });
    assert.deepEqual(redeem(home('b-env'), issue()).map((v) => v.reason), ['ACCEPTED']);
    assert.ok(json(refresh(home('b-env')))['ok'], 'the bundle\'s terminal talks to the platform');
    await typedAtTerminal(args(home('b-tty'))); // script(1) is util-linux's (Debian: bsdutils, essential)
  });

  it('rotation end to end: old and new platform keys both accepted during the overlap, the old one refused after it; a new merchant key reaches a kiosk that was offline, and both merchant keys redeem', async function () {
    const h = home('rotation');
    enroll(h);
    const [beforeA, beforeB, afterOverlap] = [issue(), issue(), issue()];
    const mOld = issue();
    const rotated = JSON.parse(admin('keys', 'rotate', '--overlap', '30', '--json')) as { trustSeq: number };
    const rotatedAt = Date.now();
    assert.equal(rotated.trustSeq, 2);
    admin('merchant', 'rotate-key', '--id', 'shop-1');
    const fresh = issue();
    assert.deepEqual(redeem(h, fresh).map((v) => v.reason), ['UNKNOWN_MERCHANT_KEY'], 'offline during the rotation: neither the new platform key nor the new merchant key yet');
    const r = json(refresh(h));
    assert.equal(r['ok'], true, JSON.stringify(r));
    const applied = r['applied'] as { trust: { outcome: string; seq: number }; merchantKeys: { added: string[]; held: string[] } };
    assert.deepEqual([applied.trust.outcome, applied.trust.seq], ['applied', 2]);
    assert.equal(applied.merchantKeys.added.length, 1, 'the new merchant key, sealed to the wrap key');
    assert.equal(applied.merchantKeys.held.length, 2, 'the old one stays while its coupons are unexpired');
    const during = redeem(h, beforeA, fresh, mOld);
    assert.deepEqual(during.map((v) => v.reason), ['ACCEPTED', 'ACCEPTED', 'ACCEPTED'], `old and new platform key, old and new merchant key: ${JSON.stringify(during)}`);
    await new Promise((res) => setTimeout(res, Math.max(0, rotatedAt + 31_000 - Date.now())));
    const late = redeem(h, afterOverlap, beforeB);
    assert.deepEqual(late.map((v) => v.reason), ['UNKNOWN_PLATFORM_KEY', 'UNKNOWN_PLATFORM_KEY']);
    assert.match(late[0]!.message, /was valid only until/);
    assert.deepEqual(redeem(h, issue()).map((v) => v.reason), ['ACCEPTED'], 'the new key goes on');
  });

  it('a running kiosk takes the keys a refresh in another process installs, and shows TERMINAL_DISABLED when the platform disables it, without a restart', async function () {
    const h = home('running');
    const o = JSON.parse(enroll(h)) as { terminalId: string };
    const run = spawnKiosk(['start', '--home', h, '--simulate', '--json', '--display', 'none']);
    try {
      await run.waitFor((e) => e['event'] === 'state' && e['phase'] === 'ready');
      admin('merchant', 'rotate-key', '--id', 'shop-1');
      const fresh = issue();
      ok(refresh(h));
      // the kiosk looks at the key store every 2 s: scan until it has the new key (a scan with an unknown key uses nothing up)
      const verdicts = (): Record<string, unknown>[] => run.events.filter(isVerdict);
      for (const end = Date.now() + 30_000; verdicts().at(-1)?.['reason'] !== 'ACCEPTED' && Date.now() < end; ) {
        await new Promise((res) => setTimeout(res, 500));
        const before = verdicts().length;
        run.child.stdin.write(fresh + '\n');
        await run.waitFor(() => verdicts().length > before);
        assert.match(String(verdicts().at(-1)!['reason']), /^(ACCEPTED|UNKNOWN_MERCHANT_KEY)$/);
      }
      assert.equal(verdicts().at(-1)!['reason'], 'ACCEPTED', 'a merchant key installed after start-up');
      admin('terminal', 'disable', '--id', o.terminalId);
      const d = refresh(h);
      assert.equal(d.status, 1);
      assert.match(d.stdout, /"disabled":true/);
      await run.waitFor((e) => e['event'] === 'fault' && e['fault'] === 'TERMINAL_DISABLED' && e['active'] === true);
      await new Promise((res) => setTimeout(res, 60));
      const seen = verdicts().length;
      run.child.stdin.write(issue() + '\n');
      await run.waitFor(() => verdicts().length > seen);
      assert.equal(verdicts().at(-1)!['reason'], 'UNKNOWN_MERCHANT_KEY', 'the keys are gone');
      assert.deepEqual(readdirSync(path.join(h, 'platforms/meituan-01/keys')), []);
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
    const status = kioskRun(['provision', 'status', '--home', h]);
    assert.equal(status.status, 1);
    assert.match(status.stdout, /DISABLED/);
    const k = kioskRun(['status', '--home', h]);
    assert.match(k.stdout, /TERMINAL_DISABLED: platform meituan-01 disabled terminal/);
  });

  it('remove: refused while redemptions were never sent (counted), done with --force, all at once', function () {
    const h = home('remove');
    enroll(h);
    redeem(h, issue(), issue());
    const refused = kioskRun(['provision', 'remove', '--home', h, '--platform', 'meituan-01']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /UNSENT_REDEMPTIONS: platform 'meituan-01' has 2 redemption\(s\) that reached it neither by upload nor by USB export/);
    const gone = json(kioskRun(['provision', 'remove', '--home', h, '--platform', 'meituan-01', '--force', '--json']));
    assert.equal(gone['ok'], true);
    assert.deepEqual(readdirSync(path.join(h, 'platforms')).filter((n) => !n.startsWith('.')), []);
    assert.match(kioskRun(['provision', 'remove', '--home', h, '--platform', 'meituan-01']).stderr, /NOT_ENROLLED/);
    assert.match(kioskRun(['redeem', '--home', h, issue()]).stdout, /UNKNOWN_PLATFORM_KEY|UNKNOWN_MERCHANT_KEY/);
  });

  it('keys held by systemd (LoadCredentialEncrypted=) are read from $CREDENTIALS_DIRECTORY; doctor checks the enrolled platform', function () {
    needTool(this, 'systemd-creds', 'apt-get install systemd');
    const h = home('creds');
    enroll(h);
    const pdir = path.join(h, 'platforms/meituan-01');
    const merchantName = readdirSync(path.join(pdir, 'keys'))[0]!;
    const kid = /merchant-([0-9a-f]{16})\.pem/.exec(merchantName)![1]!;
    const creds = path.join(dir, 'run-credentials');
    mkdirSync(creds, { mode: 0o700 });
    // the technician's steps: encrypt each key, then delete the plain file; systemd decrypts into the service's directory
    for (const [file, name] of [['terminal.pem', CREDENTIAL.terminal('meituan-01')], ['wrap.pem', CREDENTIAL.wrap('meituan-01')], [`keys/${merchantName}`, CREDENTIAL.merchant('meituan-01', kid)]] as const) {
      const sealed = path.join(dir, `${name}.cred`);
      execFileSync('systemd-creds', ['encrypt', `--name=${name}`, path.join(pdir, file), sealed], { stdio: 'ignore' });
      rmSync(path.join(pdir, file));
      execFileSync('systemd-creds', ['decrypt', `--name=${name}`, sealed, path.join(creds, name)], { stdio: 'ignore' });
      chmodSync(path.join(creds, name), 0o400);
    }
    chmodSync(creds, 0o500);
    const coupon = issue();
    assert.match(kioskRun(['redeem', '--home', h, coupon]).stderr, /KEY_INVALID: .*terminal\.pem is missing/);
    const v = kioskRun(['redeem', '--home', h, coupon], { env: { CREDENTIALS_DIRECTORY: creds } });
    assert.match(v.stdout, /"reason":"ACCEPTED"/, v.stderr);
    const status = json(kioskRun(['provision', 'status', '--home', h, '--json'], { env: { CREDENTIALS_DIRECTORY: creds } }));
    const p = (status['platforms'] as { terminalKey: { origin: string } }[])[0]!;
    assert.equal(p.terminalKey.origin, 'credentials');
    const doctor = JSON.parse(kioskRun(['doctor', '--home', h, '--user', 'root', '--json'], { env: { CREDENTIALS_DIRECTORY: creds } }).stdout) as { checks: { id: string; status: string }[] };
    const byId = new Map(doctor.checks.map((c) => [c.id, c.status]));
    assert.equal(byId.get('platforms.meituan-01'), 'ok');
    assert.equal(byId.get('platforms.meituan-01.mode'), 'ok');
    assert.equal(byId.get('keys.trust'), 'ok', 'no trust.json is fine with an enrolled platform');
    copyFileSync(path.join(creds, CREDENTIAL.terminal('meituan-01')), path.join(pdir, 'terminal.pem'));
    chmodSync(path.join(pdir, 'terminal.pem'), 0o644);
    const loose = JSON.parse(kioskRun(['doctor', '--home', h, '--user', 'root', '--json'], { env: { CREDENTIALS_DIRECTORY: creds } }).stdout) as { checks: { id: string; status: string; fix?: string }[] };
    const mode = loose.checks.find((c) => c.id === 'platforms.meituan-01.mode')!;
    assert.equal(mode.status, 'fail');
    assert.match(mode.fix!, /chmod 600 .*terminal\.pem/);
  });
});

/** The command under script(1) (a pseudo-terminal); the passphrase typed once the prompt shows, as a person would. */
async function typedAtTerminal(args: string[]): Promise<void> {
  const cmd = [process.execPath, new URL('../../device/cli/kiosk.js', import.meta.url).pathname, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, KIOSK_BUNDLE_PASSPHRASE: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.includes('bundle passphrase: ') && !child.stdin.writableEnded) child.stdin.end(PASSPHRASE + '\r');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, out);
  assert.doesNotMatch(out, /correct horse/, 'not echoed');
  assert.match(out, /"ok":true/);
}
