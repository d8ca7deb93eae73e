/**
 * `kiosk verify` as a technician runs it: key files on the command line,
 * coupons as arguments or one per line on stdin, one JSON object per input.
 * Every run goes through a guard that fails on any native addon load, so
 * these tests also hold that `kiosk verify` never loads hardware modules.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, issueCoupon, kidOf, privateKeyToPem, publicKeyToPem, type KeyPair } from '../../../coupon/index.js';
import { ALG, type Claims } from '../../../coupon/types.js';
import { DIST, jsonLines, kiosk, runNode, tempDir } from '../../platform/cli-run.js';

const NOW = 1_800_000_000;

function claims(over: Partial<Claims> = {}): Claims {
  return { iss: 'plat-a', sub: 'c-1', aud: 'shop-a', exp: NOW + 3600, iat: NOW - 60, cti: Uint8Array.from(Buffer.from('0102030405060708090a0b0c', 'hex')), product: 'p-1', quantity: 1, ...over };
}

function coupon(c: Claims, signer: KeyPair, merchant: KeyPair): string {
  const alg = signer.publicKey.asymmetricKeyType === 'rsa' ? ALG.PS256 : ALG.EdDSA;
  return issueCoupon(c, {
    signer: { kid: kidOf(signer.publicKey), alg, privateKey: signer.privateKey },
    recipient: { kid: kidOf(merchant.publicKey), publicKey: merchant.publicKey },
  });
}

describe('kiosk verify', function () {
  const tmp = tempDir();
  const f = (name: string): string => path.join(tmp.dir, name);
  const keys = {
    platA: generateKeyPair('ed25519'),
    platB: generateKeyPair('rsa', 2048),
    stranger: generateKeyPair('ed25519'),
    merchOld: generateKeyPair('x25519'),
    merchNew: generateKeyPair('rsa', 2048),
    merchOther: generateKeyPair('x25519'),
  };
  const good = {
    aOld: coupon(claims(), keys.platA, keys.merchOld),
    bNew: coupon(claims({ iss: 'plat-b', aud: 'shop-b', title: '双人火锅套餐' }), keys.platB, keys.merchNew),
    aNew: coupon(claims({ cti: Uint8Array.from(Buffer.alloc(16, 7)) }), keys.platA, keys.merchNew),
  };
  /** the usual trust: two platforms, two merchant keys (a rotation) */
  const TRUST = ['--merchant-key', f('merchOld.key.pem'), '--merchant-key', f('merchNew.key.pem'),
    '--platform-key', `plat-a=${f('platA.pub.pem')}`, '--platform-key', `plat-b=${f('platB.pub.pem')}`,
    '--merchant-id', 'plat-a=shop-a', '--merchant-id', 'plat-b=shop-b', '--now', String(NOW)];
  const verify = (args: string[], input?: string | Buffer) => kiosk(['verify', ...TRUST, ...args], input === undefined ? {} : { input });

  before(function () {
    for (const [name, pair] of Object.entries(keys)) {
      writeFileSync(f(`${name}.key.pem`), privateKeyToPem(pair.privateKey), { mode: 0o600 });
      writeFileSync(f(`${name}.pub.pem`), publicKeyToPem(pair.publicKey));
    }
  });
  after(() => tmp.remove());

  it('finds coupons of two platforms, to either merchant key of a rotation, VALID with their claims', function () {
    const r = verify([good.aOld, good.bNew, good.aNew]);
    assert.equal(r.status, 0, r.stderr);
    const outs = jsonLines(r.stdout);
    assert.deepEqual(outs.map((o) => [o['valid'], o['reason']]), [[true, 'VALID'], [true, 'VALID'], [true, 'VALID']]);
    const b = outs[1]?.['claims'] as Record<string, unknown>;
    assert.deepEqual(b, { iss: 'plat-b', sub: 'c-1', aud: 'shop-b', exp: NOW + 3600, iat: NOW - 60, cti: '0102030405060708090a0b0c', serial: outs[1]?.['serial'], product: 'p-1', quantity: 1, title: '双人火锅套餐' });
    assert.equal(outs[0]?.['serial'], '0410-6105-0R3G-G28A-1C60');
    assert.equal(typeof outs[0]?.['message'], 'string');
  });

  it('says WRONG_MERCHANT, with the verified claims, for a coupon of plat-a addressed to our id at plat-b', function () {
    const text = coupon(claims({ aud: 'shop-b' }), keys.platA, keys.merchOld);
    const [out] = jsonLines(verify([text]).stdout);
    assert.equal(out?.['valid'], false);
    assert.equal(out?.['reason'], 'WRONG_MERCHANT');
    assert.equal((out?.['claims'] as Record<string, unknown>)['aud'], 'shop-b');
  });

  it('gives the format reason for other keys and times, with claims only once signature-verified', function () {
    const texts = [
      coupon(claims(), keys.platA, keys.merchOther),
      coupon(claims(), keys.stranger, keys.merchOld),
      coupon(claims({ exp: NOW }), keys.platA, keys.merchOld),
    ];
    const outs = jsonLines(verify(texts).stdout);
    assert.deepEqual(outs.map((o) => o['reason']), ['UNKNOWN_MERCHANT_KEY', 'UNKNOWN_PLATFORM_KEY', 'EXPIRED']);
    assert.deepEqual(outs.map((o) => 'claims' in o), [false, false, true]);
  });

  it('the same coupon is VALID or EXPIRED depending on --now', function () {
    const later = kiosk(['verify', ...TRUST.slice(0, -2), '--now', String(NOW + 3600), good.aOld]);
    assert.equal(jsonLines(later.stdout)[0]?.['reason'], 'EXPIRED');
  });

  it('reads stdin line by line: good, garbage, empty, CRLF, oversized and unterminated lines each get one JSON line', function () {
    const lines = [good.aOld, 'not a coupon!', '', '   ', `${good.bNew}\r`, 'A'.repeat(5000), 'B'.repeat(100_000), good.aNew];
    const r = verify(['-'], lines.join('\n'));
    assert.equal(r.status, 0, r.stderr);
    const outs = jsonLines(r.stdout);
    assert.deepEqual(outs.map((o) => o['reason']), ['VALID', 'NOT_A_COUPON', 'NOT_A_COUPON', 'NOT_A_COUPON', 'VALID', 'NOT_A_COUPON', 'NOT_A_COUPON', 'VALID']);
    assert.ok(outs.every((o, i) => o['valid'] === (i === 0 || i === 4 || i === 7)));
    assert.match(String(outs[6]?.['message']), /longer than 65536 bytes/);
  });

  it('streams many lines in order (a mix of valid coupons and junk), exit 0', function () {
    const n = 3000;
    const lines = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? good.aOld : i % 3 === 1 ? `junk-${i}` : good.bNew));
    const outs = jsonLines(verify(['-'], lines.join('\n') + '\n').stdout);
    assert.equal(outs.length, n);
    outs.forEach((o, i) => assert.equal(o['reason'], i % 3 === 1 ? 'NOT_A_COUPON' : 'VALID', `line ${i + 1}`));
  });

  it('empty stdin prints nothing and exits 0', function () {
    const r = verify(['-'], '');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '');
  });

  const misuse: Array<[string, string[], RegExp]> = [
    ['no --merchant-key', ['--platform-key', 'plat-a=PLAT_A', '--merchant-id', 'plat-a=shop-a', 'TEXT'], /missing --merchant-key/],
    ['a --platform-key without its --merchant-id', ['--merchant-key', 'MERCH', '--platform-key', 'plat-a=PLAT_A', 'TEXT'], /no --merchant-id plat-a=MERCHANT_ID/],
    ['a --merchant-id for a platform without key', ['--merchant-key', 'MERCH', '--platform-key', 'plat-a=PLAT_A', '--merchant-id', 'plat-a=shop-a', '--merchant-id', 'plat-z=x', 'TEXT'], /plat-z/],
    ['an unreadable merchant key file', ['--merchant-key', '/nonexistent/k.pem', '--platform-key', 'plat-a=PLAT_A', '--merchant-id', 'plat-a=shop-a', 'TEXT'], /\/nonexistent\/k\.pem.*ENOENT/],
    ['a platform key file that is not a key', ['--merchant-key', 'MERCH', '--platform-key', 'plat-a=/etc/hostname', '--merchant-id', 'plat-a=shop-a', 'TEXT'], /\/etc\/hostname/],
    ['a merchant key that is an Ed25519 key', ['--merchant-key', 'PLAT_A_PRIV', '--platform-key', 'plat-a=PLAT_A', '--merchant-id', 'plat-a=shop-a', 'TEXT'], /X25519 or RSA/],
    ['a --platform-key without PLATFORM_ID=', ['--merchant-key', 'MERCH', '--platform-key', 'PLAT_A', '--merchant-id', 'plat-a=shop-a', 'TEXT'], /--platform-key must be PLATFORM_ID=/],
    ['a --now that is not Unix seconds', ['--merchant-key', 'MERCH', '--platform-key', 'plat-a=PLAT_A', '--merchant-id', 'plat-a=shop-a', '--now', 'today', 'TEXT'], /--now/],
    ['no TEXT and no -', ['--merchant-key', 'MERCH', '--platform-key', 'plat-a=PLAT_A', '--merchant-id', 'plat-a=shop-a'], /TEXT, or -/],
    ['an unknown flag', ['--merchant-key', 'MERCH', '--platform-key', 'plat-a=PLAT_A', '--merchant-id', 'plat-a=shop-a', '--fast', 'TEXT'], /--fast/],
  ];
  for (const [what, args, message] of misuse) {
    it(`exits 2 with a message on ${what}`, function () {
      const names: Record<string, string> = { PLAT_A: f('platA.pub.pem'), PLAT_A_PRIV: f('platA.key.pem'), MERCH: f('merchOld.key.pem'), TEXT: good.aOld };
      const real = args.map((a) => a.replace(/^(plat-a=)?([A-Z_]+)$/, (_, pre: string | undefined, n: string) => (pre ?? '') + (names[n] ?? n)));
      const r = kiosk(['verify', ...real]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
    });
  }

  it('--help prints the usage and exits 0', function () {
    const r = kiosk(['verify', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--merchant-key FILE\.pem/);
  });

  it('the native-module guard these runs use does catch a native addon', function () {
    const project = JSON.stringify(path.join(DIST, '..', 'package.json'));
    writeFileSync(f('noop.mjs'), 'process.exitCode = 0;\n');
    writeFileSync(f('native.mjs'), `import { createRequire } from 'node:module';\nconst Db = createRequire(${project})('better-sqlite3');\nnew Db(':memory:');\n`);
    assert.equal(runNode(f('noop.mjs'), []).status, 0, 'the guard alone breaks nothing');
    const load = runNode(f('native.mjs'), []);
    assert.notEqual(load.status, 0);
    assert.match(load.stderr, /native module loaded/);
  });
});
