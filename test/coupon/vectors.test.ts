/**
 * Known-answer tests from published vectors: our CBOR, Sig_structure,
 * Enc_structure, COSE_KDF_Context, HKDF, AES-GCM, EdDSA, PS256 and RSA-OAEP
 * code must reproduce them. Sources are named in test/coupon/vectors/.
 */
import assert from 'node:assert/strict';
import { constants, createPrivateKey, createPublicKey, diffieHellman, verify, type JsonWebKey } from 'node:crypto';
import { Tagged, decode, encode, type CborMap } from '../../coupon/cbor.js';
import {
  encStructure,
  hkdfCek,
  kdfContext,
  oaepUnwrap,
  openGcm,
  sigStructure,
  signBytes,
  verifyBytes,
  x25519PublicFromRaw,
} from '../../coupon/cose.js';
import { parseEncrypt, parseSign1 } from '../../coupon/cose-parse.js';
import { Rejection } from '../../coupon/rejection.js';
import { ALG } from '../../coupon/types.js';
import { verifyCoupon } from '../../coupon/verify.js';
import { Keyring } from '../../coupon/keyring.js';
import { fromHex, toHex } from './helpers.js';
import { rsaPair } from './fixtures.js';
import { EDDSA_SIG_01, EDDSA_SIG_02, RSA_PSS_01, X25519_HKDF_256_DIRECT } from './vectors/cose-wg.js';
import { RFC8392 } from './vectors/rfc8392.js';
import { OAEP_SHA256_2048 } from './vectors/wycheproof-oaep.js';

const b64url = (hex: string): string => Buffer.from(fromHex(hex)).toString('base64url');
const jwkKey = (jwk: JsonWebKey) => createPublicKey({ key: jwk, format: 'jwk' });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const isMalformed = (pattern: RegExp) => (e: unknown) => e instanceof Rejection && e.reason === 'MALFORMED' && pattern.test(e.message);

describe('coupon known-answer vectors', () => {
  describe(`cose-wg ${X25519_HKDF_256_DIRECT.file}`, () => {
    const v = X25519_HKDF_256_DIRECT;
    const outer = decode(fromHex(v.cborHex)) as Tagged;

    it('passes every structure and algorithm check of a coupon, up to the merchant key', () => {
      const r = verifyCoupon(Buffer.from(fromHex(v.cborHex)).toString('base64'), new Keyring({ platforms: [], merchantKeys: [] }), 0);
      assert.equal(r.reason, 'UNKNOWN_MERCHANT_KEY');
      assert.match(r.message, /recipient kid 5832353531392d31 /); // "X25519-1"
    });

    it('reproduces the AAD and KDF context, derives the CEK from the secret, and decrypts the plaintext', () => {
      const parts = parseEncrypt(outer.value);
      assert.equal(parts.contentAlg, ALG.A128GCM);
      assert.equal(parts.recipient.alg, ALG.ECDH_ES_HKDF_256);
      assert.equal(toHex(encStructure(parts.bodyProtected)), v.aadHex.toLowerCase());
      assert.equal(toHex(kdfContext(ALG.A128GCM, parts.recipient.rProtected)), v.contextHex.toLowerCase());
      const cek = hkdfCek(fromHex(v.secretHex), ALG.A128GCM, parts.recipient.rProtected);
      assert.equal(toHex(cek), v.cekHex.toLowerCase());
      const plain = openGcm(ALG.A128GCM, cek, parts.iv, parts.ciphertext, encStructure(parts.bodyProtected));
      assert.equal(Buffer.from(plain).toString(), v.plaintext);
    });

    it('(finding) its recipient key is inconsistent: d does not give x, so its X25519 step cannot be reproduced', () => {
      // from d alone (RFC 8410 PKCS#8): newer Node refuses the published JWK outright, since its x does not match d
      const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), Buffer.from(v.recipient.d, 'base64url')]);
      const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      assert.notEqual(createPublicKey(privateKey).export({ format: 'jwk' }).x, v.recipient.x);
      const parts = parseEncrypt(outer.value);
      const secret = diffieHellman({ privateKey, publicKey: x25519PublicFromRaw(parts.recipient.ephemeralX!) });
      assert.notEqual(toHex(secret), v.secretHex.toLowerCase());
    });
  });

  describe(`cose-wg ${EDDSA_SIG_01.file}: Ed25519 COSE_Sign1`, () => {
    const v = EDDSA_SIG_01;
    const [bodyProtected, , payload, signature] = (decode(fromHex(v.cborHex)) as Tagged).value as Uint8Array[];
    const x = b64url(v.publicKeyHex);

    it('re-creates the published signature from the RFC 8032 TEST 1 key over our Sig_structure', () => {
      assert.equal(Buffer.from(payload!).toString(), v.plaintext);
      const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x, d: b64url(v.privateKeyHex) }, format: 'jwk' });
      const ours = signBytes(ALG.EdDSA, privateKey, sigStructure(bodyProtected!, payload!));
      assert.equal(toHex(ours), toHex(signature!));
    });

    it('verifies with the public key, and fails on a changed payload', () => {
      const publicKey = jwkKey({ kty: 'OKP', crv: 'Ed25519', x });
      assert.equal(verifyBytes(ALG.EdDSA, publicKey, sigStructure(bodyProtected!, payload!), signature!), true);
      assert.equal(verifyBytes(ALG.EdDSA, publicKey, sigStructure(bodyProtected!, text('This is the content!')), signature!), false);
    });

    it('is MALFORMED for a coupon: its protected header carries content type (3)', () => {
      assert.throws(() => parseSign1((decode(fromHex(v.cborHex)) as Tagged).value), isMalformed(/unexpected label 3/));
    });
  });

  describe(`cose-wg ${EDDSA_SIG_02.file}: Ed448 COSE_Sign1`, () => {
    const v = EDDSA_SIG_02;
    const signed = decode(fromHex(v.cborHex)) as Tagged;
    const [bodyProtected, , payload, signature] = signed.value as Uint8Array[];

    it('reproduces ToBeSign with our Sig_structure, and the signature verifies', () => {
      assert.equal(signed.tag, 18);
      const tbs = sigStructure(bodyProtected!, payload!);
      assert.equal(toHex(tbs), v.toBeSignHex.toLowerCase());
      const publicKey = jwkKey({ kty: 'OKP', crv: 'Ed448', x: b64url(v.publicKeyHex) });
      assert.equal(verifyBytes(ALG.EdDSA, publicKey, tbs, signature!), true);
    });

    it('is MALFORMED for a coupon: its kid is in the unprotected header', () => {
      assert.throws(() => parseSign1(signed.value), isMalformed(/protected header only/));
    });
  });

  describe(`cose-wg ${RSA_PSS_01.file}: PS256`, () => {
    const v = RSA_PSS_01;
    const publicKey = jwkKey({ kty: 'RSA', n: b64url(v.nHex), e: b64url(v.eHex) });
    const tbs = encode(['Signature', fromHex('A10300'), fromHex('A1013824'), new Uint8Array(0), text('This is the content.')]);
    const pss = (saltLength: number) => ({ key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });

    it('our encoder reproduces its (COSE_Sign) ToBeSign', () => {
      assert.equal(toHex(tbs), v.toBeSignHex.toLowerCase());
    });

    it('(finding) it is signed with a 64-byte salt, so our RFC 8230 PS256 (salt 32) refuses it', () => {
      assert.equal(verify('sha256', tbs, pss(64), fromHex(v.signatureHex)), true);
      assert.equal(verifyBytes(ALG.PS256, publicKey, tbs, fromHex(v.signatureHex)), false);
    });

    it('our PS256 signatures carry the 32-byte salt of RFC 8230', () => {
      const { privateKey, publicKey: ours } = rsaPair(0);
      const sig = signBytes(ALG.PS256, privateKey, tbs);
      assert.equal(verify('sha256', tbs, { key: ours, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig), true);
      assert.equal(verify('sha256', tbs, { key: ours, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, sig), false);
    });
  });

  describe('RFC 8392 Appendix A.3 signed CWT (ES256, with the A.2.3 key)', () => {
    const signed = decode(fromHex(RFC8392.signedCwtHex)) as Tagged;
    const [bodyProtected, unprotected, payload, signature] = signed.value as [Uint8Array, CborMap, Uint8Array, Uint8Array];

    it('verifies over our Sig_structure', () => {
      assert.equal(signed.tag, 18);
      assert.equal(toHex(bodyProtected), 'a10126');
      assert.equal(Buffer.from(unprotected.get(4) as Uint8Array).toString(), 'AsymmetricECDSA256');
      const key = jwkKey({ kty: 'EC', crv: 'P-256', x: b64url(RFC8392.p256.xHex), y: b64url(RFC8392.p256.yHex) });
      const tbs = sigStructure(bodyProtected, payload);
      assert.equal(verify('sha256', tbs, { key, dsaEncoding: 'ieee-p1363' }, signature), true);
    });

    it('carries the A.1 claims set, byte for byte', () => {
      assert.equal(toHex(payload), RFC8392.claimsHex);
      const claims = decode(payload) as CborMap;
      assert.equal(claims.get(1), 'coap://as.example.com');
      assert.equal(claims.get(4), 1444064944);
    });
  });

  describe(`Wycheproof ${OAEP_SHA256_2048.file}`, () => {
    const privateKey = createPrivateKey({ key: Buffer.from(fromHex(OAEP_SHA256_2048.privateKeyPkcs8Hex)), format: 'der', type: 'pkcs8' });
    for (const [tcId, msg, ct] of OAEP_SHA256_2048.valid) {
      it(`tcId ${tcId}: our RSA-OAEP-256 unwrap recovers the message`, () => {
        assert.equal(toHex(oaepUnwrap(privateKey, fromHex(ct))), msg);
      });
    }
    it('tcId 8: a ciphertext made with a non-empty label is refused (our label is empty)', () => {
      assert.throws(() => oaepUnwrap(privateKey, fromHex(OAEP_SHA256_2048.otherLabelCt)));
    });
  });
});
