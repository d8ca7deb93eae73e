import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeBase64 } from '../../coupon/base64.js';
import { Tagged, decode, encode, type CborValue } from '../../coupon/cbor.js';
import { issueCoupon } from '../../coupon/issue.js';
import { Keyring } from '../../coupon/keyring.js';
import { KeyError, generateKeyPair, kidOf, toHex } from '../../coupon/keys.js';
import { verifyCoupon } from '../../coupon/verify.js';
import { MERCHANT_KEYS_CONTENT_TYPE, decodeMerchantKeys, encodeMerchantKeys } from '../../protocol/merchant-keys.js';
import { SEALED_CODES, openSealed, sealTo, type OpenResult } from '../../protocol/sealed.js';
import { NOW, party, platformTrust, rsaPair, sampleClaims, signer } from '../coupon/fixtures.js';
import { utf8 } from './helpers.js';

const CT = MERCHANT_KEYS_CONTENT_TYPE;
const code = (r: OpenResult) => (r.ok ? 'OK' : r.code);

function device(kind: 'x25519' | 'rsa') {
  const pair = kind === 'rsa' ? rsaPair(1) : generateKeyPair('x25519');
  const kid = toHex(kidOf(pair.publicKey));
  return { kid, ...pair, lookup: (k: string) => (k === kid ? pair.privateKey : undefined) };
}

function rebuild(bytes: Uint8Array, change: (parts: CborValue[]) => void): Uint8Array {
  const parts = [...((decode(bytes) as Tagged).value as CborValue[])];
  change(parts);
  return encode(new Tagged(96, parts));
}

describe('protocol/sealed', () => {
  const transport = device('x25519');
  const wrap = device('rsa');
  const secret = utf8('{"keys":[]}');

  for (const to of [transport, wrap]) {
    it(`seals to an ${to.publicKey.asymmetricKeyType} key and opens with its private half`, () => {
      const opened = openSealed(sealTo(secret, to, CT), CT, to.lookup);
      assert.ok(opened.ok);
      assert.deepEqual(opened.plaintext, secret);
      assert.equal(opened.kid, to.kid);
    });
  }

  it('carries the content type in the protected header beside the alg, nothing else', () => {
    const [bodyProtected, unprotected] = (decode(sealTo(secret, transport, CT)) as Tagged).value as CborValue[];
    assert.deepEqual(decode(bodyProtected as Uint8Array), new Map<number, CborValue>([[1, 3], [3, CT]]));
    assert.deepEqual([...(unprotected as Map<number, CborValue>).keys()], [5]);
  });

  it('another content type: WRONG_CONTENT_TYPE; one changed in transit: DECRYPTION_FAILED', () => {
    const sealed = sealTo(secret, transport, CT);
    assert.equal(code(openSealed(sealed, 'application/other', transport.lookup)), 'WRONG_CONTENT_TYPE');
    const relabelled = rebuild(sealTo(secret, transport, 'application/other'), (p) => (p[0] = encode(new Map<number, CborValue>([[1, 3], [3, CT]]))));
    assert.equal(code(openSealed(relabelled, CT, transport.lookup)), 'DECRYPTION_FAILED');
  });

  it('a key this device does not hold: UNKNOWN_RECIPIENT; the wrong private key: DECRYPTION_FAILED', () => {
    const sealed = sealTo(secret, transport, CT);
    assert.equal(code(openSealed(sealed, CT, () => undefined)), 'UNKNOWN_RECIPIENT');
    const other = device('x25519');
    assert.equal(code(openSealed(sealed, CT, () => other.privateKey)), 'DECRYPTION_FAILED');
    assert.equal(code(openSealed(sealed, CT, () => wrap.privateKey)), 'DECRYPTION_FAILED');
  });

  it('a flipped ciphertext bit: DECRYPTION_FAILED', () => {
    const sealed = rebuild(sealTo(secret, wrap, CT), (p) => {
      const ct = new Uint8Array(p[2] as Uint8Array);
      ct[0]! ^= 1;
      p[2] = ct;
    });
    assert.equal(code(openSealed(sealed, CT, wrap.lookup)), 'DECRYPTION_FAILED');
  });

  it('a coupon is not a sealed delivery, and a sealed delivery is not a coupon', () => {
    const platform = party(generateKeyPair('ed25519'));
    const merchant = { kid: kidOf(transport.publicKey), pair: { publicKey: transport.publicKey, privateKey: transport.privateKey } };
    const ring = new Keyring({ platforms: [platformTrust('platform-a', 'merchant-7', [platform])], merchantKeys: [{ kid: merchant.kid, kind: 'x25519', privateKey: transport.privateKey }] });
    const coupon = issueCoupon(sampleClaims(), { signer: signer(platform), recipient: { kid: merchant.kid, publicKey: transport.publicKey } });
    assert.equal(verifyCoupon(coupon, ring, NOW).reason, 'VALID');
    const asSealed = openSealed(Buffer.from(coupon, 'base64'), CT, transport.lookup);
    assert.ok(!asSealed.ok && asSealed.code === 'MALFORMED' && /content type/.test(asSealed.message));
    const asCoupon = verifyCoupon(encodeBase64(sealTo(secret, transport, CT)), ring, NOW);
    assert.equal(asCoupon.reason, 'MALFORMED');
  });

  it('refuses to seal to a key whose kid is not the one given, or to a signing key', () => {
    assert.throws(() => sealTo(secret, { kid: wrap.kid, publicKey: transport.publicKey }, CT), KeyError);
    const ed = generateKeyPair('ed25519');
    assert.throws(() => sealTo(secret, { kid: toHex(kidOf(ed.publicKey)), publicKey: ed.publicKey }, CT), KeyError);
  });

  it('delivers merchant keys end to end: encode, seal, open, decode, decrypt a coupon', () => {
    const merchantPair = generateKeyPair('x25519');
    const merchant = { kid: kidOf(merchantPair.publicKey), kind: 'x25519' as const, privateKey: merchantPair.privateKey };
    const opened = openSealed(sealTo(encodeMerchantKeys([merchant]), transport, CT), CT, transport.lookup);
    assert.ok(opened.ok);
    const decoded = decodeMerchantKeys(opened.plaintext);
    assert.ok(decoded.ok);
    const platform = party(generateKeyPair('ed25519'));
    const ring = new Keyring({ platforms: [platformTrust('platform-a', 'merchant-7', [platform])], merchantKeys: decoded.keys });
    const coupon = issueCoupon(sampleClaims(), { signer: signer(platform), recipient: { kid: merchant.kid, publicKey: merchantPair.publicKey } });
    assert.equal(verifyCoupon(coupon, ring, NOW).reason, 'VALID');
  });

  it('never throws on arbitrary or bit-flipped input, and answers with a listed code', () => {
    const sealed = sealTo(secret, transport, CT);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (junk, n) => {
        const flipped = new Uint8Array(sealed);
        flipped[n % flipped.length]! ^= 1 << n % 8;
        for (const bytes of [junk, flipped]) {
          const r = openSealed(bytes, CT, transport.lookup);
          assert.ok(!r.ok && (SEALED_CODES as readonly string[]).includes(r.code), r.ok ? 'opened' : r.message);
        }
      }),
      { numRuns: 300 },
    );
  });
});
