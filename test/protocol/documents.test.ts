import assert from 'node:assert/strict';
import { generateKeyPair, kidOf, privateKeyToPem, publicKeyToPem, toHex } from '../../coupon/keys.js';
import { Keyring } from '../../coupon/keyring.js';
import { issueCoupon } from '../../coupon/issue.js';
import { ALG } from '../../coupon/types.js';
import { verifyCoupon } from '../../coupon/verify.js';
import {
  ENROLLMENT_CONTENT_TYPE,
  TRUST_BUNDLE_CONTENT_TYPE,
  bundleKeyOf,
  decodeEnrollment,
  decodeTrustBundle,
  encodeEnrollment,
  encodeTrustBundle,
  type Enrollment,
  type TrustBundle,
} from '../../protocol/documents.js';
import { signDocument, verifyDocument } from '../../protocol/signed-document.js';
import { NOW, sampleClaims } from '../coupon/fixtures.js';
import { edKey, lookupOf, rsaKey, utf8 } from './helpers.js';

describe('protocol/documents', () => {
  const ed = edKey();
  const rsa = rsaKey();
  const bundle: TrustBundle = {
    platformId: 'platform-a',
    seq: 7,
    issuedAt: NOW * 1000,
    keys: [bundleKeyOf(ed.publicKey, { notBefore: NOW * 1000 - 500, notAfter: (NOW + 86_400) * 1000 }), bundleKeyOf(rsa.publicKey)],
  };
  const decodeJson = (value: unknown) => decodeTrustBundle(utf8(JSON.stringify(value)));

  describe('trust bundle', () => {
    it('bundleKeyOf computes kid, COSE alg name and SPKI PEM from the key', () => {
      assert.deepEqual(bundle.keys[1], { kid: rsa.kid, alg: 'PS256', publicKey: publicKeyToPem(rsa.publicKey) });
      assert.equal(bundle.keys[0]!.alg, 'EdDSA');
    });

    it('round-trips into the coupon verifier\'s keys, validity turned into seconds', () => {
      const decoded = decodeTrustBundle(encodeTrustBundle(bundle));
      assert.ok(decoded.ok);
      assert.deepEqual(decoded.bundle, bundle);
      const [edKeyOut, rsaKeyOut] = decoded.keys;
      assert.equal(toHex(edKeyOut!.kid), ed.kid);
      assert.equal(edKeyOut!.alg, ALG.EdDSA);
      assert.equal(edKeyOut!.notBefore, NOW, 'a key valid from NOW s − 500 ms is valid in second NOW, not NOW − 1');
      assert.equal(edKeyOut!.notAfter, NOW + 86_400);
      assert.equal(rsaKeyOut!.alg, ALG.PS256);
      assert.equal(rsaKeyOut!.notBefore, undefined);
      const merchant = generateKeyPair('x25519');
      const ring = new Keyring({ platforms: [{ platformId: 'platform-a', merchantId: 'merchant-7', keys: decoded.keys }], merchantKeys: [{ kid: kidOf(merchant.publicKey), kind: 'x25519', privateKey: merchant.privateKey }] });
      const coupon = issueCoupon(sampleClaims(), { signer: { kid: kidOf(ed.publicKey), alg: ALG.EdDSA, privateKey: ed.privateKey }, recipient: { kid: kidOf(merchant.publicKey), publicKey: merchant.publicKey } });
      assert.equal(verifyCoupon(coupon, ring, NOW).reason, 'VALID');
    });

    it('signed and verified as a document of its content type', () => {
      const doc = signDocument(encodeTrustBundle(bundle), TRUST_BUNDLE_CONTENT_TYPE, [ed, rsa]);
      const verdict = verifyDocument(doc, TRUST_BUNDLE_CONTENT_TYPE, lookupOf(ed));
      assert.ok(verdict.ok);
      assert.equal(decodeTrustBundle(verdict.payload).ok, true);
      assert.equal(verifyDocument(doc, ENROLLMENT_CONTENT_TYPE, lookupOf(ed)).ok, false);
    });

    const otherEd = edKey();
    const x25519 = generateKeyPair('x25519');
    const entry = bundle.keys[0]!;
    const cases: [string, unknown, string, RegExp][] = [
      ['a kid that is not the key\'s', { ...bundle, keys: [{ ...entry, kid: otherEd.kid }] }, 'KID_MISMATCH', /keys\[0\]/],
      ['an alg that does not fit', { ...bundle, keys: [{ ...entry, alg: 'PS256' }] }, 'ALG_MISMATCH', /PS256/],
      ['a private key', { ...bundle, keys: [{ ...entry, publicKey: privateKeyToPem(ed.privateKey) }] }, 'BAD_KEY', /never a private key/],
      ['a key that cannot sign', { ...bundle, keys: [{ ...entry, kid: toHex(kidOf(x25519.publicKey)), publicKey: publicKeyToPem(x25519.publicKey) }] }, 'BAD_KEY', /Ed25519 or RSA/],
      ['unreadable PEM', { ...bundle, keys: [{ ...entry, publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }] }, 'BAD_KEY', /PEM/],
      ['a key twice', { ...bundle, keys: [entry, entry] }, 'DUPLICATE_KID', /twice/],
      ['an empty window', { ...bundle, keys: [{ ...entry, notBefore: 5, notAfter: 5 }] }, 'BAD_WINDOW', /notBefore/],
      ['seq 0', { ...bundle, seq: 0 }, 'INVALID_DOCUMENT', /seq/],
      ['a fractional time', { ...bundle, issuedAt: 1.5 }, 'INVALID_DOCUMENT', /issuedAt/],
      ['no keys', { ...bundle, keys: [] }, 'INVALID_DOCUMENT', /keys/],
      ['an extra field', { ...bundle, comment: 'x' }, 'INVALID_DOCUMENT', /unexpected field 'comment'/],
      ['an alg by number', { ...bundle, keys: [{ ...entry, alg: -8 }] }, 'INVALID_DOCUMENT', /keys\.0\.alg/],
    ];
    for (const [what, value, code, message] of cases) {
      it(`refuses ${what}: ${code}`, () => {
        const verdict = decodeJson(value);
        assert.ok(!verdict.ok && verdict.code === code, JSON.stringify(verdict));
        assert.match(verdict.message, message);
      });
    }

    it('refuses to encode an invalid bundle', () => {
      assert.throws(() => encodeTrustBundle({ ...bundle, seq: -1 }), TypeError);
      assert.throws(() => encodeTrustBundle({ ...bundle, keys: [{ ...entry, kid: otherEd.kid }] }), /kid/);
    });

    it('refuses what is not JSON', () => {
      assert.equal(decodeTrustBundle(utf8('{')).ok, false);
      assert.equal(decodeTrustBundle(new Uint8Array([0xc3])).ok, false);
    });
  });

  describe('enrollment document', () => {
    const enrollment: Enrollment = {
      platformId: 'platform-a',
      merchantId: 'merchant-7',
      branchId: 'branch-3',
      terminalId: 'terminal-12',
      terminalKid: ed.kid,
      wrapKid: toHex(kidOf(generateKeyPair('x25519').publicKey)),
      sync: { claimMode: 'online-preferred', claimTimeoutMs: 1500, offlineMaxCount: 200, offlineMaxAgeS: 86400, offlineMaxQuantity: 10, revocationMaxAgeS: 86400, reversalWindowS: 600 },
    };

    it('round-trips', () => {
      const decoded = decodeEnrollment(encodeEnrollment(enrollment));
      assert.deepEqual(decoded, { ok: true, enrollment });
      const signed = signDocument(encodeEnrollment(enrollment), ENROLLMENT_CONTENT_TYPE, [ed]);
      const verdict = verifyDocument(signed, ENROLLMENT_CONTENT_TYPE, lookupOf(ed));
      assert.ok(verdict.ok && decodeEnrollment(verdict.payload).ok);
    });

    it('names the field that is wrong', () => {
      const { terminalKid: _omitted, ...missing } = enrollment;
      const cases: [unknown, RegExp][] = [
        [missing, /missing field 'terminalKid'/],
        [{ ...enrollment, wrapKid: 'xyz' }, /wrapKid/],
        [{ ...enrollment, sync: 'offline' }, /sync: must be object/],
        [{ ...enrollment, sync: { ...enrollment.sync, claimMode: 'sometimes' } }, /claimMode/],
        [{ ...enrollment, sync: { ...enrollment.sync, reversalWindowS: undefined } }, /reversalWindowS/],
        [{ ...enrollment, sync: { ...enrollment.sync, floorLimit: 5 } }, /floorLimit/],
        [{ ...enrollment, merchantId: '' }, /merchantId/],
        [{ ...enrollment, extra: 1 }, /unexpected field 'extra'/],
      ];
      for (const [value, message] of cases) {
        const verdict = decodeEnrollment(utf8(JSON.stringify(value)));
        assert.ok(!verdict.ok && verdict.code === 'INVALID_DOCUMENT');
        assert.match(verdict.message, message);
      }
      assert.throws(() => encodeEnrollment({ ...enrollment, branchId: '' }), /branchId/);
    });
  });
});
