import assert from 'node:assert/strict';
import {
  PASSPHRASE_FORMAT,
  PassphrasePolicyError,
  SCRYPT_DEFAULTS,
  checkPassphrase,
  openWithPassphrase,
  sealWithPassphrase,
  type PassphraseOpenResult,
  type PassphraseSealed,
} from '../../protocol/passphrase.js';
import { utf8 } from './helpers.js';

const CT = 'application/vnd.coupon-kiosk.merchant-keys+json';
const PASS = 'correct horse battery staple';
/** The smallest N version 1 accepts keeps these tests quick; one test uses the default. */
const FAST = { scrypt: { N: 16384 as const } };
const code = (r: PassphraseOpenResult) => (r.ok ? 'OK' : r.code);

describe('protocol/passphrase', () => {
  const secret = utf8('{"keys":[{"kid":"0011223344556677"}]}');
  let sealed: PassphraseSealed;
  before(async () => {
    sealed = await sealWithPassphrase(secret, PASS, CT, FAST);
  });

  it('seals with the default scrypt parameters and opens again (the JSON text too)', async () => {
    const env = await sealWithPassphrase(secret, PASS, CT);
    assert.equal(env.format, PASSPHRASE_FORMAT);
    assert.equal(env.version, 1);
    assert.deepEqual({ N: env.kdf.N, r: env.kdf.r, p: env.kdf.p }, SCRYPT_DEFAULTS);
    assert.deepEqual(Object.keys(env), ['format', 'version', 'contentType', 'kdf', 'cipher', 'iv', 'check', 'ciphertext']);
    const opened = await openWithPassphrase(JSON.stringify(env), PASS, CT);
    assert.ok(opened.ok);
    assert.deepEqual(opened.plaintext, secret);
  });

  it('a fresh salt and IV each time', async () => {
    const again = await sealWithPassphrase(secret, PASS, CT, FAST);
    assert.notEqual(again.kdf.salt, sealed.kdf.salt);
    assert.notEqual(again.iv, sealed.iv);
  });

  it('a wrong passphrase: WRONG_PASSPHRASE', async () => {
    assert.equal(code(await openWithPassphrase(sealed, 'correct horse battery stapler', CT)), 'WRONG_PASSPHRASE');
  });

  it('the passphrase is compared after NFKC normalization', async () => {
    const env = await sealWithPassphrase(secret, 'caf\u00e9 au lait, deux sucres', CT, FAST);
    assert.equal(code(await openWithPassphrase(env, 'cafe\u0301 au lait, deux sucres', CT)), 'OK');
    const fullWidth = 'ｃｏｒｒｅｃｔ horse battery staple';
    assert.equal(code(await openWithPassphrase(sealed, fullWidth, CT)), 'OK');
  });

  describe('tampering, with the right passphrase', () => {
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64url');
      bytes[0]! ^= 1;
      return bytes.toString('base64url');
    };
    const cases: [string, (e: PassphraseSealed) => PassphraseSealed, string][] = [
      ['ciphertext', (e) => ({ ...e, ciphertext: flip(e.ciphertext) }), 'TAMPERED'],
      ['iv', (e) => ({ ...e, iv: flip(e.iv) }), 'TAMPERED'],
      ['a truncated ciphertext', (e) => ({ ...e, ciphertext: e.ciphertext.slice(0, 24) }), 'TAMPERED'],
      ['salt', (e) => ({ ...e, kdf: { ...e.kdf, salt: flip(e.kdf.salt) } }), 'WRONG_PASSPHRASE'],
      ['scrypt N', (e) => ({ ...e, kdf: { ...e.kdf, N: 32768 } }), 'WRONG_PASSPHRASE'],
      ['check', (e) => ({ ...e, check: flip(e.check) }), 'WRONG_PASSPHRASE'],
    ];
    for (const [what, change, expected] of cases) {
      it(`${what} → ${expected}`, async () => assert.equal(code(await openWithPassphrase(change(sealed), PASS, CT)), expected));
    }

    it('the content type, changed to the one expected: TAMPERED', async () => {
      const other = await sealWithPassphrase(secret, PASS, 'application/other', FAST);
      assert.equal(code(await openWithPassphrase(other, PASS, CT)), 'WRONG_CONTENT_TYPE');
      assert.equal(code(await openWithPassphrase({ ...other, contentType: CT }, PASS, CT)), 'TAMPERED');
    });
  });

  describe('not an envelope of this version', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['another version', { version: 2 }, 'UNSUPPORTED_VERSION', /version 2/],
      ['another format', { format: 'age' }, 'MALFORMED', /not a passphrase-sealed envelope/],
      ['an extra field', { note: 'x' }, 'MALFORMED', /unexpected field 'note'/],
      ['an scrypt N beyond version 1', { kdf: { name: 'scrypt', N: 1 << 20, r: 8, p: 1, salt: 'AAAAAAAAAAAAAAAAAAAAAA' } }, 'MALFORMED', /kdf\.N/],
      ['a short salt', { kdf: { name: 'scrypt', N: 16384, r: 8, p: 1, salt: 'AAAA' } }, 'MALFORMED', /kdf\.salt/],
    ];
    for (const [what, change, expected, message] of cases) {
      it(`${what} → ${expected}`, async () => {
        const r = await openWithPassphrase({ ...sealed, ...(change as object) }, PASS, CT);
        assert.ok(!r.ok && r.code === expected, JSON.stringify(r));
        assert.match(r.message, message);
      });
    }
    it('not JSON, not an object', async () => {
      assert.equal(code(await openWithPassphrase('{', PASS, CT)), 'MALFORMED');
      assert.equal(code(await openWithPassphrase(null, PASS, CT)), 'MALFORMED');
      assert.equal(code(await openWithPassphrase(42, PASS, CT)), 'MALFORMED');
    });
  });

  describe('passphrase policy', () => {
    it('at least 12 characters after NFKC, at most 1024', () => {
      assert.deepEqual(checkPassphrase('twelve chars'), { ok: true });
      const short = checkPassphrase('eleven char');
      assert.ok(!short.ok && short.code === 'PASSPHRASE_TOO_SHORT' && /11 characters/.test(short.message));
      assert.equal(checkPassphrase('优惠券兑换终端密码很安全').ok, true);
      const long = checkPassphrase('x'.repeat(1025));
      assert.ok(!long.ok && long.code === 'PASSPHRASE_TOO_LONG');
    });
    it('sealing refuses a passphrase off the policy', async () => {
      await assert.rejects(sealWithPassphrase(secret, 'short', CT), (err: unknown) => err instanceof PassphrasePolicyError && err.code === 'PASSPHRASE_TOO_SHORT');
    });
  });
});
