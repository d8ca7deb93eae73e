/**
 * End to end: `coupon-platform keygen/issue/batch` into a temp dir, then
 * `kiosk verify` on what it printed, as a platform team and a technician would.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { kidOf, publicKeyFromPem } from '../../coupon/index.js';
import { qrSegments } from '../../platform/qr.js';
import { jsonLines, kiosk, platform, tempDir, type RunResult } from './cli-run.js';

const DAY = 24 * 3600;

describe('coupon-platform CLI, end to end with kiosk verify', function () {
  const tmp = tempDir();
  const f = (name: string): string => path.join(tmp.dir, name);
  const kids: Record<string, string> = {};

  const verify = (text: string, extra: string[] = []): RunResult =>
    kiosk(['verify', '--merchant-key', f('merch.key.pem'), '--merchant-key', f('merch-rsa.key.pem'),
      '--platform-key', `meituan-01=${f('plat.pub.pem')}`, '--platform-key', `meituan-01=${f('plat-rsa.pub.pem')}`,
      '--merchant-id', 'meituan-01=shop-00042', ...extra, text]);

  const issueArgs = (over: Record<string, string> = {}): string[] => {
    const flags: Record<string, string> = {
      'platform-key': f('plat.key.pem'), 'platform-id': 'meituan-01', 'merchant-key': f('merch.pub.pem'), aud: 'shop-00042',
      sub: 'u-83920117', product: 'sku-778812', quantity: '2', title: 'Family Combo Meal x2', ...over,
    };
    return ['issue', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])];
  };

  before(function () {
    for (const [name, kind] of [['plat', 'ed25519'], ['merch', 'x25519'], ['plat-rsa', 'rsa'], ['merch-rsa', 'rsa']] as const) {
      const r = platform(['keygen', '--kind', kind, '--out', f(name)]);
      assert.equal(r.status, 0, r.stderr);
      kids[name] = r.stdout.trim();
    }
  });
  after(() => tmp.remove());

  it('keygen writes PKCS#8 (0600) and SPKI files and prints the kid of the key', function () {
    for (const name of ['plat', 'merch', 'plat-rsa']) {
      assert.match(kids[name] ?? '', /^[0-9a-f]{16}$/);
      const pub = publicKeyFromPem(readFileSync(f(`${name}.pub.pem`), 'utf8'));
      assert.equal(Buffer.from(kidOf(pub)).toString('hex'), kids[name]);
      assert.equal(statSync(f(`${name}.key.pem`)).mode & 0o777, 0o600);
      assert.match(readFileSync(f(`${name}.key.pem`), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    }
  });

  it('keygen refuses to overwrite, a wrong kind and RSA under 2048 bits (exit 2)', function () {
    const again = platform(['keygen', '--kind', 'ed25519', '--out', f('plat')]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /--force/);
    assert.equal(platform(['keygen', '--kind', 'p256', '--out', f('x')]).status, 2);
    const small = platform(['keygen', '--kind', 'rsa', '--bits', '1024', '--out', f('x')]);
    assert.equal(small.status, 2);
    assert.match(small.stderr, /--bits/);
  });

  it('issues a coupon from flags that kiosk verify finds VALID with the same claims', function () {
    const before = Math.floor(Date.now() / 1000);
    const r = platform([...issueArgs(), '--png', f('c.png'), '--svg', f('c.svg')]);
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout.trim();
    assert.equal(r.stdout, text + '\n');
    assert.ok(text.startsWith('2G'));
    const [out] = jsonLines(verify(text).stdout);
    assert.equal(out?.['valid'], true);
    assert.equal(out?.['reason'], 'VALID');
    const claims = out?.['claims'] as Record<string, unknown>;
    assert.deepEqual(
      { iss: claims['iss'], sub: claims['sub'], aud: claims['aud'], product: claims['product'], quantity: claims['quantity'], title: claims['title'] },
      { iss: 'meituan-01', sub: 'u-83920117', aud: 'shop-00042', product: 'sku-778812', quantity: 2, title: 'Family Combo Meal x2' },
    );
    assert.equal((claims['cti'] as string).length, 24, 'default serial is 12 random bytes');
    assert.equal(claims['serial'], out?.['serial']);
    const iat = claims['iat'] as number;
    assert.ok(iat >= before && iat <= before + 60);
    assert.equal(claims['exp'], iat + 30 * DAY);
  });

  it('writes the QR as a PNG of the right size for the text (byte mode, level M) and as an SVG path', function () {
    const r = platform([...issueArgs(), '--png', f('m.png'), '--svg', f('m.svg')]);
    const text = r.stdout.trim();
    const qr = QRCode.create(qrSegments(text), { errorCorrectionLevel: 'M' });
    assert.deepEqual(qr.segments.map((s) => s.mode.id), ['Byte']);
    assert.equal(qr.errorCorrectionLevel.bit, 0, 'M');
    const png = PNG.sync.read(readFileSync(f('m.png')));
    assert.equal(png.width, png.height);
    const modules = 4 * qr.version + 17;
    assert.equal(png.width % (modules + 8), 0, `PNG of ${png.width} px is not ${modules} modules + margins`);
    assert.match(readFileSync(f('m.svg'), 'utf8'), /<svg[^>]*>[\s\S]*<path[^>]* d="M/);
  });

  it('--level H gives a larger QR than the default M, and --terminal draws on stderr only', function () {
    const r = platform([...issueArgs(), '--level', 'H', '--png', f('h.png'), '--terminal']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split('\n').length, 2, 'only the text on stdout');
    assert.match(r.stderr, /▄|▀|█/);
    const text = r.stdout.trim();
    const h = QRCode.create(qrSegments(text), { errorCorrectionLevel: 'H' }).version;
    assert.ok(h > QRCode.create(qrSegments(text), { errorCorrectionLevel: 'M' }).version);
    assert.equal(PNG.sync.read(readFileSync(f('h.png'))).width % (4 * h + 17 + 8), 0);
  });

  it('issues from --json (RSA suite, A128GCM, explicit serial and times) and verify returns those claims', function () {
    const claims = { iss: 'meituan-01', sub: 'u-1', aud: 'shop-00042', exp: 2000000000, nbf: 1700000000, iat: 1700000000, cti: '00112233445566778899aabbccddeeff', product: 'p', quantity: 10000, title: '双人套餐' };
    writeFileSync(f('claims.json'), JSON.stringify(claims));
    const r = platform(['issue', '--json', f('claims.json'), '--platform-key', f('plat-rsa.key.pem'), '--merchant-key', f('merch-rsa.pub.pem'), '--content-alg', 'A128GCM']);
    assert.equal(r.status, 0, r.stderr);
    const [out] = jsonLines(verify(r.stdout.trim(), ['--now', '1800000000']).stdout);
    assert.equal(out?.['reason'], 'VALID');
    const { serial, ...got } = out?.['claims'] as Record<string, unknown>;
    assert.deepEqual(got, claims);
    assert.equal(serial, out?.['serial']);
  });

  it('a flag overrides the --json value, and times accept +SECONDS and ISO dates', function () {
    writeFileSync(f('c2.json'), JSON.stringify({ sub: 'json-sub', product: 'p', quantity: 1, aud: 'shop-00042' }));
    const r = platform(['issue', '--json', f('c2.json'), '--sub', 'flag-sub', '--platform-id', 'meituan-01', '--platform-key', f('plat.key.pem'),
      '--merchant-key', f('merch.pub.pem'), '--nbf', '2030-01-01T00:00:00Z', '--exp', '+100', '--iat', '1900000000']);
    assert.equal(r.status, 0, r.stderr);
    const [out] = jsonLines(verify(r.stdout.trim(), ['--now', '1893456000']).stdout);
    const claims = out?.['claims'] as Record<string, unknown>;
    assert.equal(claims['sub'], 'flag-sub');
    assert.equal(claims['nbf'], 1893456000);
    assert.equal(claims['iat'], 1900000000);
    assert.ok(Math.abs((claims['exp'] as number) - Math.floor(Date.now() / 1000) - 100) < 60);
  });

  const refusals: Array<[string, Record<string, string>, RegExp]> = [
    ['a 60-byte title', { title: 'x'.repeat(60) }, /title.*48/],
    ['quantity 0', { quantity: '0' }, /quantity/],
    ['a non-integer quantity', { quantity: 'two' }, /quantity/],
    ['a 4-byte serial', { serial: '01020304' }, /cti.*8 to 32/],
    ['a missing --sub', { sub: '' }, /missing --sub/],
    ['a bad --exp', { exp: 'tomorrow' }, /exp/],
    ['an unknown content alg', { 'content-alg': 'A192GCM' }, /content-alg/],
    ['a merchant key file that does not exist', { 'merchant-key': '/nonexistent/m.pem' }, /\/nonexistent\/m\.pem/],
    ['a merchant key that is Ed25519', { 'merchant-key': 'plat.pub.pem' }, /merchant public key must be x25519 or rsa/],
    ['a platform key that is X25519', { 'platform-key': 'merch.key.pem' }, /platform signing key must be ed25519 or rsa/],
  ];
  for (const [what, over, message] of refusals) {
    it(`refuses ${what} with a clear message and exit 2`, function () {
      const inTmp = Object.fromEntries(Object.entries(over).map(([k, v]) => [k, v.endsWith('.pem') && !v.startsWith('/') ? f(v) : v]));
      const r = platform(issueArgs(inTmp));
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
    });
  }

  it('refuses an RSA-1024 platform key file, naming the file', function () {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(f('small.key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const r = platform(issueArgs({ 'platform-key': f('small.key.pem') }));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /small\.key\.pem.*1024 bits/);
  });

  it('batch writes N coupons with distinct serials that verify reads from stdin', function () {
    const args = issueArgs().slice(1);
    const r = platform(['batch', '--count', '5', '--out', f('batch.txt'), ...args]);
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(f('batch.txt'), 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 5);
    const v = kiosk(['verify', '--merchant-key', f('merch.key.pem'), '--platform-key', `meituan-01=${f('plat.pub.pem')}`, '--merchant-id', 'meituan-01=shop-00042', '-'],
      { input: lines.join('\n') + '\n' });
    const outs = jsonLines(v.stdout);
    assert.deepEqual(outs.map((o) => o['reason']), Array(5).fill('VALID'));
    assert.equal(new Set(outs.map((o) => o['serial'])).size, 5);
  });

  it('prints help per command (exit 0) and refuses an unknown command or flag (exit 2)', function () {
    for (const cmd of ['keygen', 'issue', 'batch']) {
      const r = platform([cmd, '--help']);
      assert.equal(r.status, 0);
      assert.match(r.stdout, new RegExp(`usage: coupon-platform ${cmd}`));
    }
    assert.equal(platform(['mint']).status, 2);
    const bad = platform(['issue', '--colour', 'red']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--colour/);
  });
});
