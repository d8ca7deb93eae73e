/**
 * A technician enrolls kiosks from the real service (`coupon-platform serve`
 * on PGlite, over TLS on loopback with a self-signed certificate), with the
 * real CLIs: the setup QR scanned, refused tokens, a man in the middle (a
 * second platform answering), a second platform beside the first, a kill -9
 * of the kiosk at each enrollment step and of the server mid-enrollment.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { loadHomeKeys } from '../../provisioning/home-keys.js';
import { spkiPin } from '../../protocol/setup-code.js';
import { preparedDataDir } from '../support/pglite.js';
import { freePort } from '../support/postgres.js';
import { spawnServe, type ServeProcess } from '../platform/spawn-serve.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { json, kioskAsync, kioskRun, ok, platformRun } from './cli.js';
import { picture } from './helpers.js';
import { selfSigned } from './service-fixture.js';

type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = (jsQRModule as unknown as { default: Decode }).default;

describe('kiosk provision enroll against the real service (PGlite, TLS)', function () {
  this.timeout(180_000);
  let dir: string;
  let data: string;
  let serve: ServeProcess;
  let tls: ReturnType<typeof selfSigned>;
  let port: number;
  let platformKid: string;
  let pin: string;
  const env = () => ({ NODE_EXTRA_CA_CERTS: tls.certFile });
  const admin = (...args: string[]) => platformRun([...args, '--url', serve.url, '--data', data], { env: env() });
  const token = (ttl?: string) => ok(admin('enroll-token', '--merchant', 'shop-1', '--branch', 'north', ...(ttl ? ['--ttl', ttl] : []))).trim();
  const home = (name: string) => path.join(dir, name);
  const enrollArgs = (h: string, t: string, url = serve.url) => ['provision', 'enroll', '--home', h, '--url', url, '--token', t, '--expect-platform-kid', platformKid, '--tls-pin', pin, '--json'];
  const enrolled = (h: string) => loadHomeKeys(h, { credentials: undefined }).enrolled.map((p) => p.platformId);
  const terminals = () => ok(admin('terminal', 'list', '--json')).trim().split('\n').filter((l) => l !== '').length;

  before(async () => {
    dir = tempDir('enroll-svc-');
    tls = selfSigned(dir, 'server');
    pin = spkiPin(tls.cert);
    data = await preparedDataDir();
    port = await freePort();
    serve = await spawnServe(['--data', data, '--platform-id', 'meituan-01', '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--listen', `127.0.0.1:${port}`]);
    ok(admin('merchant', 'add', '--id', 'shop-1', '--claim', 'online-preferred'));
    ok(admin('branch', 'add', '--merchant', 'shop-1', '--id', 'north'));
    platformKid = (JSON.parse(ok(admin('keys', 'list', '--json'))) as { keys: { kid: string }[] }).keys[0]!.kid;
  });
  after(async () => {
    if (serve && serve.child.exitCode === null) await serve.stop();
    rmSync(data, { recursive: true, force: true });
    removeDir(dir);
  });

  it('scanning the setup QR enrolls with no typing: the platform key and the TLS key are pinned', function () {
    const png = path.join(dir, 'setup.png');
    ok(admin('enroll-token', '--merchant', 'shop-1', '--branch', 'north', '--png', png, '--tls-cert', tls.certFile));
    const img = PNG.sync.read(readFileSync(png));
    const scanned = jsQR(new Uint8ClampedArray(img.data), img.width, img.height)!.data;
    const r = kioskRun(['provision', 'enroll', '--home', home('qr'), '--setup-code', '-', '--json'], { input: scanned + '\n' });
    const o = json(r);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(o['anchor'], { mode: 'pinned', kid: platformKid });
    assert.equal(o['platformId'], 'meituan-01');
    assert.equal(o['claimMode'], 'online-preferred');
    assert.doesNotMatch(r.stderr, /WARNING/);
    const status = json(kioskRun(['provision', 'status', '--home', home('qr'), '--json']));
    const p = (status['platforms'] as Record<string, unknown>[])[0]!;
    assert.equal(p['tls'], `pin ${pin}`);
    assert.equal(p['terminalId'], o['terminalId']);
  });

  it('without an expected kid the key is trusted on first use, with the fingerprint and a warning', function () {
    const r = kioskRun(['provision', 'enroll', '--home', home('tofu'), '--url', serve.url, '--token', token(), '--tls-pin', pin]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /WARNING: no expected platform key was given: trusted on first use/);
    assert.match(r.stdout, new RegExp(`platform key ${platformKid} EdDSA fingerprint ${platformKid}[0-9a-f]{48}`));
  });

  it('a used, an expired and an unknown token are refused with a clear message; nothing is written', async function () {
    const used = token();
    ok(kioskRun(enrollArgs(home('first'), used)));
    const again = kioskRun(enrollArgs(home('second'), used));
    assert.equal(again.status, 1);
    assert.match(again.stderr, /TOKEN_USED: .*make a new one.*Nothing was written/);
    assert.equal(json(again)['code'], 'TOKEN_USED');
    const expiring = token('1');
    await new Promise((r) => setTimeout(r, 1500));
    const late = kioskRun(enrollArgs(home('second'), expiring));
    assert.match(late.stderr, /TOKEN_EXPIRED/);
    const unknown = kioskRun(enrollArgs(home('second'), 'A'.repeat(32)));
    assert.match(unknown.stderr, /TOKEN_UNKNOWN/);
    assert.deepEqual(picture(home('second')), []);
  });

  it('kill -9 at each enrollment step: the home is as before or fully enrolled, and the same command then completes (or says it is enrolled)', function () {
    const steps = ['enroll:keys-saved', 'enroll:answered', 'enroll:verified', 'install:staged', 'install:renamed', 'enroll:done'];
    const installed = new Set(['install:renamed', 'enroll:done']);
    for (const step of steps) {
      const h = home(`kill-${step.replace(':', '-')}`);
      const t = token();
      const before = terminals();
      const killed = kioskRun(enrollArgs(h, t), { env: { KIOSK_TEST_CRASH_AT: step } });
      assert.equal(killed.signal, 'SIGKILL', `${step}: ${killed.stderr}`);
      assert.deepEqual(enrolled(h), installed.has(step) ? ['meituan-01'] : [], step);
      if (!installed.has(step)) assert.deepEqual(picture(h).filter((p) => !p.startsWith('platforms ')), [], `${step}: nothing but bookkeeping`);
      const rerun = kioskRun(enrollArgs(h, t));
      if (installed.has(step)) {
        assert.equal(rerun.status, 1, step);
        assert.match(rerun.stderr, /ALREADY_ENROLLED/, step);
      } else {
        assert.equal(rerun.status, 0, `${step}: ${rerun.stderr}`);
        assert.equal(json(rerun)['reusedKeys'], true, step);
      }
      assert.deepEqual(enrolled(h), ['meituan-01'], step);
      assert.equal(terminals() - before, 1, `${step}: one terminal per token`);
    }
  });

  it('kill -9 of the server mid-enrollment: a clear error, and the same command works once the service is back', async function () {
    // a proxy that passes the request on and, when the platform's answer comes (it has committed), kills the platform
    const target = { port };
    const sockets: Socket[] = [];
    let killOnAnswer = true;
    const proxy: Server = createServer((client) => {
      const upstream = connect(target.port, '127.0.0.1');
      sockets.push(client, upstream);
      client.pipe(upstream);
      // the platform's TLS handshake flight and session tickets stay under 2 KB; the enrollment answer is over 3 KB
      let fromPlatform = 0;
      upstream.on('data', (d) => {
        fromPlatform += d.length;
        if (killOnAnswer && fromPlatform > 2500) {
          killOnAnswer = false;
          serve.child.kill('SIGKILL');
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(d);
      });
      upstream.on('end', () => client.end());
      for (const s of [client, upstream]) s.on('error', () => s.destroy());
    });
    const proxyPort = await new Promise<number>((r) => proxy.listen(0, '127.0.0.1', () => r((proxy.address() as { port: number }).port)));
    const via = `https://127.0.0.1:${proxyPort}`;
    try {
      const t = token();
      const h = home('server-killed');
      const cut = await kioskAsync(enrollArgs(h, t, via));
      assert.equal(cut.status, 1);
      assert.match(cut.stderr, /no answer from .*run the same command again.*Nothing was written/);
      assert.deepEqual(enrolled(h), []);
      await serve.exited;
      serve = await spawnServe(['--data', data, '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--listen', `127.0.0.1:${port}`]);
      const retried = await kioskAsync(enrollArgs(h, t, via));
      assert.equal(retried.status, 0, retried.stderr);
      assert.equal(json(retried)['reusedKeys'], true, 'the platform had committed: the same key gets its enrollment again');
      assert.deepEqual(enrolled(h), ['meituan-01']);
    } finally {
      for (const s of sockets) s.destroy();
      proxy.close();
    }
  });

  it('a man in the middle (a second platform answering) is refused; a second platform is added beside the first with its own identity', async function () {
    const otherData = await preparedDataDir();
    const other = await spawnServe(['--data', otherData, '--platform-id', 'dianping-02']);
    try {
      const otherAdmin = (...args: string[]) => ok(platformRun([...args, '--url', other.url, '--data', otherData]));
      otherAdmin('merchant', 'add', '--id', 'shop-9');
      otherAdmin('branch', 'add', '--merchant', 'shop-9', '--id', 'east');
      const t1 = otherAdmin('enroll-token', '--merchant', 'shop-9', '--branch', 'east').trim();
      const h = home('qr');
      const before = picture(h);
      const mitm = kioskRun(['provision', 'enroll', '--home', h, '--url', other.url, '--token', t1, '--expect-platform-kid', platformKid]);
      assert.equal(mitm.status, 1);
      assert.match(mitm.stderr, new RegExp(`PLATFORM_KEY_MISMATCH: .*not the expected ${platformKid}: a man in the middle.*Nothing was written`));
      assert.deepEqual(picture(h), before);
      const otherKid = (JSON.parse(otherAdmin('keys', 'list', '--json')) as { keys: { kid: string }[] }).keys[0]!.kid;
      const t2 = otherAdmin('enroll-token', '--merchant', 'shop-9', '--branch', 'east').trim();
      const second = json(kioskRun(['provision', 'enroll', '--home', h, '--url', other.url, '--token', t2, '--expect-platform-kid', otherKid, '--json']));
      assert.equal(second['ok'], true);
      const status = json(kioskRun(['provision', 'status', '--home', h, '--json']));
      const rows = (status['platforms'] as Record<string, unknown>[]).map((p) => [p['platformId'], p['merchantId'], p['branchId']]);
      assert.deepEqual(rows, [['dianping-02', 'shop-9', 'east'], ['meituan-01', 'shop-1', 'north']]);
      const ids = (status['platforms'] as Record<string, unknown>[]).map((p) => (p['terminalKey'] as { kid: string }).kid);
      assert.notEqual(ids[0], ids[1], 'a terminal identity per platform');
      const c1 = ok(admin('issue', '--aud', 'shop-1', '--sub', 'u', '--product', 'p', '--quantity', '1')).trim();
      const c2 = otherAdmin('issue', '--aud', 'shop-9', '--sub', 'u', '--product', 'p', '--quantity', '1').trim();
      const verdicts = ok(kioskRun(['redeem', '--home', h, '-'], { input: `${c1}\n${c2}\n` })).trim().split('\n').map((l) => (JSON.parse(l) as { reason: string; platform: string }));
      assert.deepEqual(verdicts.map((v) => [v.reason, v.platform]), [['ACCEPTED', 'meituan-01'], ['ACCEPTED', 'dianping-02']]);
    } finally {
      await other.stop();
      rmSync(otherData, { recursive: true, force: true });
    }
  });
});
