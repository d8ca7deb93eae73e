/**
 * `coupon-platform serve` on PGlite and the admin commands against it, as an
 * operator would run them: real processes, real sockets.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { parseSetupCode } from '../../protocol/setup-code.js';
import { preparedDataDir } from '../support/pglite.js';
import { jsonLines, platform, tempDir } from './cli-run.js';
import { spawnServe, type ServeProcess } from './spawn-serve.js';

// jsqr is CommonJS with `export default`: under NodeNext its default is the module object
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = (jsQRModule as unknown as { default: Decode }).default;

describe('coupon-platform serve (PGlite) and its admin commands', function () {
  this.timeout(120_000);
  let data: string;
  let serve: ServeProcess;
  const tmp = tempDir();
  const secrets: string[] = [];
  const admin = (...args: string[]) => platform([...args, '--url', serve.url, '--data', data]);
  const ok = (r: { status: number | null; stdout: string; stderr: string }) => {
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  before(async function () {
    data = await preparedDataDir();
    serve = await spawnServe(['--data', data, '--platform-id', 'meituan-01']);
  });
  after(async () => {
    if (serve && serve.child.exitCode === null) await serve.stop();
    rmSync(data, { recursive: true, force: true });
    tmp.remove();
  });

  it('prints the listening event, makes DIR/admin-token (0600) and answers /v1/health', async function () {
    assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(statSync(path.join(data, 'admin-token')).mode & 0o777, 0o600);
    const health = (await (await fetch(serve.url + '/v1/health')).json()) as { status: string; platformId: string; database: string };
    assert.deepEqual([health.status, health.platformId, health.database], ['ok', 'meituan-01', 'pglite']);
    const lines = serve.stderr().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.some((l) => l['msg'] === 'platform created'), 'JSON logs on stderr');
  });

  it('merchant add, branch add, enroll-token with the setup QR', function () {
    const m = JSON.parse(ok(admin('merchant', 'add', '--id', 'shop-00042', '--claim', 'online-preferred', '--claim-timeout-ms', '1200', '--json'))) as { sync: { claimMode: string; claimTimeoutMs: number } };
    assert.equal(m.sync.claimMode, 'online-preferred');
    assert.equal(m.sync.claimTimeoutMs, 1200);
    ok(admin('branch', 'add', '--merchant', 'shop-00042', '--id', 'north'));
    const png = path.join(tmp.dir, 'setup.png');
    const token = ok(admin('enroll-token', '--merchant', 'shop-00042', '--branch', 'north', '--png', png)).trim();
    secrets.push(token);
    assert.match(token, /^[0-9A-HJKMNP-TV-Z]{32}$/, 'the token alone on stdout');
    const img = PNG.sync.read(readFileSync(png));
    const qr = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
    const setup = parseSetupCode(qr!.data);
    assert.ok(setup.ok, setup.ok ? '' : setup.message);
    if (setup.ok) {
      assert.equal(setup.setup.handshake_version, 1);
      assert.equal(setup.setup.url, serve.url);
      assert.equal(setup.setup.token, token);
      const keys = JSON.parse(ok(admin('keys', 'list', '--json'))) as { keys: Array<{ kid: string }> };
      assert.equal(setup.setup.platform_kid, keys.keys[0]!.kid);
    }
  });

  it('merchant set changes the claim mode and every sync limit a kiosk applies; an impossible value is refused naming it', function () {
    const flags = ['--claim', 'online-required', '--claim-timeout-ms', '900', '--offline-max-count', '50', '--offline-max-age', '3600',
      '--offline-max-quantity', '3', '--revocation-max-age', '7200', '--reversal-window', '300'];
    const m = JSON.parse(ok(admin('merchant', 'set', '--id', 'shop-00042', ...flags, '--json'))) as { sync: Record<string, unknown> };
    assert.deepEqual(m.sync, { claimMode: 'online-required', claimTimeoutMs: 900, offlineMaxCount: 50, offlineMaxAgeS: 3600, offlineMaxQuantity: 3, revocationMaxAgeS: 7200, reversalWindowS: 300 });
    const bad = admin('merchant', 'set', '--id', 'shop-00042', '--reversal-window', '90000');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /VALIDATION_FAILED.*reversalWindowS/);
    const back = JSON.parse(ok(admin('merchant', 'set', '--id', 'shop-00042', '--claim', 'online-preferred', '--claim-timeout-ms', '1200', '--json'))) as { sync: Record<string, unknown> };
    assert.equal(back.sync['reversalWindowS'], 300, 'unchanged settings stay');
  });

  it('issue --url prints the coupon text alone; revoke takes the serial as the kiosk shows it', function () {
    const png = path.join(tmp.dir, 'coupon.png');
    const r = admin('issue', '--aud', 'shop-00042', '--sub', 'u-1', '--product', 'sku-1', '--quantity', '2', '--title', 'Hotpot', '--exp', '+86400', '--png', png);
    const text = ok(r).trim();
    assert.match(text, /^2G[A-Za-z0-9+/=]+$/);
    const img = PNG.sync.read(readFileSync(png));
    assert.equal(jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data, text, 'the QR holds the coupon text');
    const serial = /serial (\S+),/.exec(r.stderr)![1]!;
    const rev = JSON.parse(ok(admin('revoke', '--serial', serial, '--reason', 'refund', '--json'))) as { serial: string; seq: number };
    assert.equal(rev.serial, serial);
    const again = admin('revoke', '--serial', serial);
    assert.equal(again.status, 1, 'refused by the service: exit 1');
    assert.match(again.stderr, /ALREADY_REVOKED/);
    assert.equal(admin('issue', '--aud', 'shop-00042', '--sub', 'u', '--product', 'p', '--quantity', '1', '--platform-key', 'x.pem').status, 2);
  });

  it('keys rotate, terminal list, redemptions and conflicts as JSON lines, bundle', function () {
    const rotated = JSON.parse(ok(admin('keys', 'rotate', '--overlap', '600', '--json'))) as { trustSeq: number; keys: unknown[] };
    assert.equal(rotated.trustSeq, 2);
    assert.equal(rotated.keys.length, 2);
    const pass = path.join(tmp.dir, 'pass');
    writeFileSync(pass, 'correct horse battery staple\n');
    const out = path.join(tmp.dir, 'till.bundle');
    const b = JSON.parse(ok(admin('bundle', '--merchant', 'shop-00042', '--branch', 'north', '--passphrase-file', pass, '--out', out, '--json'))) as { terminalId: string };
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.doesNotMatch(readFileSync(out, 'utf8'), /correct horse|PRIVATE KEY/);
    const again = admin('bundle', '--merchant', 'shop-00042', '--branch', 'north', '--passphrase-file', pass, '--out', out);
    assert.equal(again.status, 2, 'an existing file is not overwritten');
    const terminals = jsonLines(ok(admin('terminal', 'list', '--json')));
    assert.deepEqual(terminals.map((t) => t['terminalId']), [b.terminalId], 'the failed second bundle registered nothing');
    const disabled = JSON.parse(ok(admin('terminal', 'disable', '--id', b.terminalId, '--json'))) as { enabled: boolean };
    assert.equal(disabled.enabled, false);
    assert.equal(ok(admin('redemptions', '--json')), '');
    assert.equal(ok(admin('conflicts', '--json')), '');
  });

  it('refuses a wrong token, a token file others can read, and a bad flag with the right exit codes', function () {
    const bad = path.join(tmp.dir, 'bad-token');
    writeFileSync(bad, 'A'.repeat(43), { mode: 0o600 });
    const r = platform(['merchant', 'list', '--url', serve.url, '--token-file', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ADMIN_TOKEN_INVALID/);
    chmodSync(bad, 0o644);
    const open = platform(['merchant', 'list', '--url', serve.url, '--token-file', bad]);
    assert.equal(open.status, 2);
    assert.match(open.stderr, /chmod 600/);
    assert.equal(admin('merchant', 'add', '--id', 'x', '--claim', 'sometimes').status, 2);
    assert.equal(admin('merchant', 'frobnicate').status, 2);
    const down = platform(['merchant', 'list', '--url', 'http://127.0.0.1:9', '--data', data]);
    assert.equal(down.status, 1);
    assert.match(down.stderr, /UNREACHABLE/);
  });

  it('SIGTERM finishes a request in flight, then exits 0; a restart keeps the platform id; another id is refused', async function () {
    const token = readFileSync(path.join(data, 'admin-token'), 'utf8').trim();
    const bundleRequests = (log: string): number => log.split('\n').filter((l) => l.includes('"msg":"incoming request"') && l.includes('"url":"/v1/admin/bundles"')).length;
    const before = bundleRequests(serve.stderr());
    // a bundle runs scrypt (~0.2 s): long enough to be in flight when SIGTERM arrives
    const inflight = fetch(serve.url + '/v1/admin/bundles', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'shop-00042', branchId: 'north', passphrase: 'correct horse battery staple' }),
    });
    // SIGTERM once the service has this request (Fastify logs each incoming request), not after a guessed delay
    for (const end = Date.now() + 20_000; bundleRequests(serve.stderr()) === before; ) {
      if (Date.now() > end) assert.fail(`the request never reached the service: ${serve.stderr().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const code = serve.stop();
    const res = await inflight;
    assert.equal(res.status, 201);
    assert.equal(await code, 0);
    assert.match(serve.stderr(), /"msg":"stopped"/);
    for (const secret of [token, 'correct horse battery staple', ...secrets]) assert.ok(!serve.stderr().includes(secret), 'no token or passphrase in the logs');
    const wrong = await spawnServe(['--data', data, '--platform-id', 'other-02']).then(
      (s) => s.stop().then(() => assert.fail('started with another platform id')),
      (err: Error) => err.message,
    );
    assert.match(wrong, /PLATFORM_ID_MISMATCH/);
    serve = await spawnServe(['--data', data]);
    const health = (await (await fetch(serve.url + '/v1/health')).json()) as { platformId: string };
    assert.equal(health.platformId, 'meituan-01');
    assert.ok(existsSync(path.join(data, 'pgdata')));
  });
});
