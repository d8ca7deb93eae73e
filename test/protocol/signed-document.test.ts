import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import fc from 'fast-check';
import { encodeBase64 } from '../../coupon/base64.js';
import { Tagged, decode, encode, type CborValue } from '../../coupon/cbor.js';
import { signBytes, verifyBytes } from '../../coupon/cose.js';
import { issueCoupon, signClaims } from '../../coupon/issue.js';
import { KeyError, generateKeyPair } from '../../coupon/keys.js';
import { ALG } from '../../coupon/types.js';
import { verifyCoupon } from '../../coupon/verify.js';
import { DOCUMENT_CODES, signDocument, signStructure, verifyDocument, type DocumentVerdict } from '../../protocol/signed-document.js';
import { NOW, keyring, party, platformTrust, recipient, sampleClaims, signer } from '../coupon/fixtures.js';
import { forgeEncrypt } from '../coupon/forge.js';
import { fromHex } from '../coupon/helpers.js';
import { edKey, lookupOf, rsaKey, utf8 } from './helpers.js';

const TRUST = 'application/vnd.coupon-kiosk.trust+json';
const code = (v: DocumentVerdict) => (v.ok ? 'OK' : v.code);

/** The document decoded, changed by `change`, and encoded again (signatures untouched). */
function rebuild(bytes: Uint8Array, change: (parts: CborValue[]) => void): Uint8Array {
  const doc = decode(bytes) as Tagged;
  const parts = [...(doc.value as CborValue[])];
  change(parts);
  return encode(new Tagged(doc.tag, parts));
}

describe('protocol/signed-document', () => {
  const a = edKey();
  const b = rsaKey();
  const lookup = lookupOf(a, b);
  const payload = utf8('{"platformId":"platform-a","seq":3}');

  it('cose-wg Examples eddsa-01 (COSE_Sign, Ed25519): our Sig_structure and signature are the example\'s', () => {
    // github.com/cose-wg/Examples eddsa-examples/eddsa-01.json
    const tbs = signStructure(fromHex('A10300'), fromHex('A10127'), utf8('This is the content.'));
    assert.equal(Buffer.from(tbs).toString('hex').toUpperCase(), '85695369676E617475726543A1030043A101274054546869732069732074686520636F6E74656E742E');
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
    const key = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', d: b64('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'), x: b64('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a') },
      format: 'jwk',
    });
    const expected = '77F3EACD11852C4BF9CB1D72FABE6B26FBA1D76092B2B5B7EC83B83557652264E69690DBC1172DDC0BF88411C0D25A507FDB247A20C40D5E245FABD3FC9EC106';
    assert.equal(Buffer.from(signBytes(ALG.EdDSA, key, tbs)).toString('hex').toUpperCase(), expected);
    assert.equal(verifyBytes(ALG.EdDSA, key, tbs, fromHex(expected)), true);
    // The example itself is not in our profile (integer content type 0, kid unprotected): refused, not misread.
    const example = fromHex(
      'D8628443A10300A054546869732069732074686520636F6E74656E742E818343A10127A104423131584077F3EACD11852C4BF9CB1D72FABE6B26FBA1D76092B2B5B7EC83B83557652264E69690DBC1172DDC0BF88411C0D25A507FDB247A20C40D5E245FABD3FC9EC106',
    );
    const verdict = verifyDocument(example, TRUST, () => ({ alg: ALG.EdDSA, publicKey: key }));
    assert.ok(!verdict.ok && verdict.code === 'MALFORMED' && /text string/.test(verdict.message));
  });

  it('signs with several keys (Ed25519 and RSA) and verifies, naming every signer', () => {
    const doc = signDocument(payload, TRUST, [a, b]);
    assert.equal(doc[0], 0xd8);
    assert.equal(doc[1], 98);
    const verdict = verifyDocument(doc, TRUST, lookup);
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.payload, payload);
    assert.deepEqual(verdict.signedBy, [a.kid, b.kid]);
    assert.deepEqual(verdict.ignored, []);
  });

  it('writes exactly {3: content type} and per signer {1: alg, 4: kid}, all else empty', () => {
    const [bodyProtected, unprotected, , signatures] = (decode(signDocument(payload, TRUST, [a])) as Tagged).value as CborValue[];
    assert.deepEqual(decode(bodyProtected as Uint8Array), new Map([[3, TRUST]]));
    assert.deepEqual(unprotected, new Map());
    const [signProtected, signUnprotected] = (signatures as CborValue[][])[0]!;
    assert.deepEqual(decode(signProtected as Uint8Array), new Map<number, CborValue>([[1, ALG.EdDSA], [4, fromHex(a.kid)]]));
    assert.deepEqual(signUnprotected, new Map());
  });

  it('another content type: WRONG_CONTENT_TYPE; a content type changed in transit: BAD_SIGNATURE', () => {
    const doc = signDocument(payload, TRUST, [a]);
    assert.equal(code(verifyDocument(doc, 'application/vnd.coupon-kiosk.enrollment+json', lookup)), 'WRONG_CONTENT_TYPE');
    const relabelled = rebuild(doc, (p) => (p[0] = encode(new Map([[3, 'application/vnd.coupon-kiosk.enrollment+json']]))));
    assert.equal(code(verifyDocument(relabelled, 'application/vnd.coupon-kiosk.enrollment+json', lookup)), 'BAD_SIGNATURE');
  });

  it('a changed payload: BAD_SIGNATURE', () => {
    const doc = rebuild(signDocument(payload, TRUST, [a, b]), (p) => (p[2] = utf8('{"platformId":"platform-a","seq":4}')));
    const verdict = verifyDocument(doc, TRUST, lookup);
    assert.equal(code(verdict), 'BAD_SIGNATURE');
    assert.ok(!verdict.ok && verdict.message.includes(a.kid) && verdict.message.includes(b.kid));
  });

  it('no known signer: NO_KNOWN_SIGNER, naming the kids', () => {
    const stranger = edKey();
    const verdict = verifyDocument(signDocument(payload, TRUST, [stranger]), TRUST, lookup);
    assert.equal(code(verdict), 'NO_KNOWN_SIGNER');
    assert.ok(!verdict.ok && verdict.message.includes(stranger.kid));
  });

  it('one good and one bad signature: verified by the good one, the bad one reported', () => {
    const doc = rebuild(signDocument(payload, TRUST, [a, b]), (p) => {
      const sigs = (p[3] as CborValue[][]).map((s) => [...s]);
      const bad = new Uint8Array(sigs[1]![2] as Uint8Array);
      bad[0]! ^= 1;
      sigs[1]![2] = bad;
      p[3] = sigs;
    });
    const verdict = verifyDocument(doc, TRUST, lookup);
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.signedBy, [a.kid]);
    assert.deepEqual(verdict.ignored, [{ kid: b.kid, reason: 'the signature does not verify' }]);
  });

  it('an unknown and a good signer: verified, the unknown one reported', () => {
    const verdict = verifyDocument(signDocument(payload, TRUST, [edKey(), a]), TRUST, lookup);
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.signedBy, [a.kid]);
    assert.equal(verdict.ignored[0]!.reason, 'not a known signing key');
  });

  it('a header alg that does not fit the known key: BAD_SIGNATURE', () => {
    const verdict = verifyDocument(signDocument(payload, TRUST, [a]), TRUST, (kid) => (kid === a.kid ? { alg: ALG.PS256, publicKey: b.publicKey } : undefined));
    assert.equal(code(verdict), 'BAD_SIGNATURE');
  });

  describe('malformed', () => {
    const doc = signDocument(payload, TRUST, [a, b]);
    const cases: [string, Uint8Array][] = [
      ['trailing bytes', new Uint8Array([...doc, 0])],
      ['untagged', encode((decode(doc) as Tagged).value)],
      ['unprotected header not empty', rebuild(doc, (p) => (p[1] = new Map([[3, TRUST]])))],
      ['extra protected label', rebuild(doc, (p) => (p[0] = encode(new Map<number, CborValue>([[3, TRUST], [4, fromHex(a.kid)]]))))],
      ['integer content type', rebuild(doc, (p) => (p[0] = encode(new Map([[3, 50]]))))],
      ['detached payload', rebuild(doc, (p) => (p[2] = null))],
      ['no signatures', rebuild(doc, (p) => (p[3] = []))],
      ['one key twice', rebuild(doc, (p) => (p[3] = [(p[3] as CborValue[])[0]!, (p[3] as CborValue[])[0]!]))],
      ['kid in the unprotected header', rebuild(doc, (p) => (p[3] = [[encode(new Map([[1, ALG.EdDSA]])), new Map([[4, fromHex(a.kid)]]), new Uint8Array(64)]]))],
      ['short kid', rebuild(doc, (p) => (p[3] = [[encode(new Map<number, CborValue>([[1, ALG.EdDSA], [4, fromHex('01')]])), new Map(), new Uint8Array(64)]]))],
      ['unsupported alg', rebuild(doc, (p) => (p[3] = [[encode(new Map<number, CborValue>([[1, -7], [4, fromHex(a.kid)]])), new Map(), new Uint8Array(64)]]))],
      ['random bytes', utf8('{"not":"cbor"}')],
    ];
    for (const [what, bytes] of cases) {
      it(what, () => assert.equal(code(verifyDocument(bytes, TRUST, lookup)), 'MALFORMED'));
    }

    it('never throws on arbitrary bytes; a flipped bit never verifies; listed codes only', () => {
      const single = signDocument(payload, TRUST, [a]);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (junk, n) => {
          const flipped = new Uint8Array(single);
          flipped[n % flipped.length]! ^= 1 << n % 8;
          for (const bytes of [junk, flipped]) {
            const verdict = verifyDocument(bytes, TRUST, lookup);
            assert.ok(!verdict.ok && (DOCUMENT_CODES as readonly string[]).includes(verdict.code));
          }
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('never a coupon, never a document', () => {
    const platform = party(generateKeyPair('ed25519'));
    const merchant = party(generateKeyPair('x25519'));
    const ring = keyring([platformTrust('platform-a', 'merchant-7', [platform])], [merchant]);
    const platformKid = Buffer.from(platform.kid).toString('hex');
    const documentSigner = { kid: platformKid, alg: ALG.EdDSA, privateKey: platform.pair.privateKey } as const;
    const platformLookup = lookupOf({ kid: platformKid, alg: ALG.EdDSA, ...platform.pair });

    it("a coupon's COSE_Sign1 and a whole coupon are refused as documents", () => {
      const sign1 = signClaims(sampleClaims(), signer(platform));
      const v1 = verifyDocument(sign1, TRUST, platformLookup);
      assert.ok(!v1.ok && v1.code === 'MALFORMED' && /COSE_Sign1/.test(v1.message));
      const coupon = Buffer.from(issueCoupon(sampleClaims(), { signer: signer(platform), recipient: recipient(merchant) }), 'base64');
      const v2 = verifyDocument(coupon, TRUST, platformLookup);
      assert.ok(!v2.ok && v2.code === 'MALFORMED' && /COSE_Encrypt/.test(v2.message));
    });

    it('a document is not a coupon, bare or encrypted to the merchant', () => {
      const doc = signDocument(payload, TRUST, [documentSigner]);
      assert.equal(verifyCoupon(encodeBase64(doc), ring, NOW).reason, 'NOT_A_COUPON');
      const wrapped = forgeEncrypt({ plaintext: doc, to: merchant });
      assert.equal(verifyCoupon(encodeBase64(wrapped), ring, NOW).reason, 'MALFORMED');
    });

    it("a document's signature moved into a COSE_Sign1 does not verify as a coupon", () => {
      const claimsPayload = (decode(signClaims(sampleClaims(), signer(platform))) as Tagged).value as CborValue[];
      const doc = signDocument(claimsPayload[2] as Uint8Array, TRUST, [documentSigner]);
      const [signProtected, , signature] = (((decode(doc) as Tagged).value as CborValue[])[3] as CborValue[][])[0]!;
      const sign1 = encode(new Tagged(18, [signProtected!, new Map(), claimsPayload[2]!, signature!]));
      assert.equal(verifyCoupon(encodeBase64(forgeEncrypt({ plaintext: sign1, to: merchant })), ring, NOW).reason, 'BAD_SIGNATURE');
    });
  });

  it('refuses to sign without signers, twice with one key, or with an alg that does not fit the key', () => {
    assert.throws(() => signDocument(payload, TRUST, []), /1 to 16 signers/);
    assert.throws(() => signDocument(payload, TRUST, [a, a]), /once per key/);
    assert.throws(() => signDocument(payload, TRUST, [{ ...a, alg: ALG.PS256 }]), KeyError);
  });
});
