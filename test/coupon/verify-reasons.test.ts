import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { Tagged, decode, encode, type CborMap, type CborValue } from '../../coupon/cbor.js';
import { CLAIM, claimsToMap } from '../../coupon/claims.js';
import { HEADER } from '../../coupon/cose.js';
import { signClaims } from '../../coupon/issue.js';
import { generateKeyPair } from '../../coupon/keys.js';
import type { Keyring } from '../../coupon/keyring.js';
import { ALG, type Claims, type VerifyResult } from '../../coupon/types.js';
import { verifyCoupon } from '../../coupon/verify.js';
import { NOW, keyring, party, platformTrust, rsaPair, sampleClaims, signer, type Party } from './fixtures.js';
import { forgeEncrypt, forgeSign1, toText, type EncryptSpec, type Sign1Spec } from './forge.js';

describe('coupon/verify: one test per reason', () => {
  let platformA: Party;
  let platformB: Party;
  let stranger: Party;
  let merchantX: Party;
  let otherMerchant: Party;
  let merchantRsa: Party;
  let otherRsa: Party;
  let ring: Keyring;

  before(() => {
    platformA = party(generateKeyPair('ed25519'));
    platformB = party(generateKeyPair('ed25519'));
    stranger = party(generateKeyPair('ed25519'));
    merchantX = party(generateKeyPair('x25519'));
    otherMerchant = party(generateKeyPair('x25519'));
    merchantRsa = party(rsaPair(1));
    otherRsa = party(rsaPair(2));
    ring = keyring(
      [platformTrust('platform-a', 'merchant-7', [platformA]), platformTrust('platform-b', 'merchant-9', [platformB])],
      [merchantX, merchantRsa],
    );
  });

  const sign1 = (over: Partial<Sign1Spec> = {}, claims: Claims | CborMap = sampleClaims()): Uint8Array =>
    forgeSign1({
      payload: encode(claims instanceof Map ? claims : claimsToMap(claims)),
      signerKid: platformA.kid,
      alg: ALG.EdDSA,
      privateKey: platformA.pair.privateKey,
      ...over,
    });
  const coupon = (enc: Partial<EncryptSpec> = {}, s: Uint8Array = sign1()): string =>
    toText(forgeEncrypt({ plaintext: s, to: merchantX, ...enc }));
  const check = (text: string, reason: string, message?: RegExp, now = NOW): VerifyResult => {
    const r = verifyCoupon(text, ring, now);
    assert.equal(r.reason, reason, r.message);
    assert.equal(r.ok, reason === 'VALID');
    if (message) assert.match(r.message, message);
    if (text.trim().length >= 40) assert.ok(!r.message.includes(text.trim().slice(0, 40)), 'message must not contain the coupon');
    return r;
  };

  describe('the forge itself', () => {
    it('makes VALID coupons when nothing is overridden (X25519 and RSA)', () => {
      check(coupon(), 'VALID');
      check(coupon({ to: merchantRsa }), 'VALID');
    });
    it('VALID with the recipient alg in r_unprotected only (RFC 9052 allows either)', () => {
      check(coupon({ algIn: 'unprotected' }), 'VALID');
      check(coupon({ algIn: 'unprotected', to: merchantRsa }), 'VALID');
    });
  });

  describe('accepted forms', () => {
    it('URL-safe alphabet without padding, with the scanner\'s CR LF', () => {
      const t = Buffer.from(coupon(), 'base64').toString('base64url');
      check(`${t}\r\n`, 'VALID');
    });
  });

  describe('NOT_A_COUPON', () => {
    const cases: [string, () => string, RegExp][] = [
      ['empty text', () => '', /empty/],
      ['white space only', () => ' \r\n', /empty/],
      ['5000-character text', () => '2G' + 'A'.repeat(4998), /5000 characters/],
      ['illegal characters', () => '2GCE#Q6EB', /U\+0023 at position 4/],
      ['a space inside a real coupon', () => { const t = coupon(); return `${t.slice(0, 50)} ${t.slice(50)}`; }, /U\+0020 at position 50/],
      ['a URL', () => 'https://example.com/coupon', /not Base64/],
      ['tag 16 (COSE_Encrypt0)', () => toText(forgeEncrypt({ plaintext: sign1(), to: merchantX, tag: 16 })), /tag-96/],
      ['no tag', () => toText(forgeEncrypt({ plaintext: sign1(), to: merchantX, tag: null })), /tag-96/],
      ['a bare COSE_Sign1 (tag 18)', () => toText(sign1()), /tag-96/],
      ['CWT tag 61 around the COSE_Encrypt', () => toText(Buffer.concat([Buffer.from([0xd8, 0x3d]), Buffer.from(coupon(), 'base64')])), /tag-96/],
      ['a truncation leaving 4n+1 characters', () => { const t = coupon().replace(/=+$/, ''); return t.slice(0, t.length - ((t.length - 1) % 4)); }, /whole bytes/],
    ];
    for (const [what, make, message] of cases) it(what, () => check(make(), 'NOT_A_COUPON', message));
  });

  describe('MALFORMED', () => {
    it('a tag-96 head in a longer form (D9 0060) than D8 60: one coupon has one text', () => {
      const bytes = Buffer.from(coupon(), 'base64');
      check(toText(Buffer.concat([Buffer.from([0xd9, 0x00, 0x60]), bytes.subarray(2)])), 'MALFORMED', /shortest head/);
    });
    it('a long head inside the signed claims (quantity 2 as 18 02)', () => {
      const claims = encode(claimsToMap(sampleClaims()));
      const q = Buffer.from(encode(new Map([[CLAIM.quantity, sampleClaims().quantity]]))).subarray(1);
      const at = Buffer.from(claims).indexOf(q);
      assert.ok(at > 0, 'quantity entry found');
      const long = Buffer.concat([Buffer.from(claims).subarray(0, at + q.length - 1), Buffer.from([0x18, q[q.length - 1]!]), Buffer.from(claims).subarray(at + q.length)]);
      check(coupon({}, sign1({ payload: long })), 'MALFORMED', /claims are not valid CBOR: .*shortest head/);
    });
    it('truncated text', () => {
      const t = coupon().replace(/=+$/, '');
      // 200 characters decode to whole bytes, so the cut shows in the CBOR, not the Base64
      check(t.slice(0, 200), 'MALFORMED', /needs|exceeds/);
    });
    it('trailing bytes after the item', () => {
      const bytes = Buffer.from(coupon(), 'base64');
      check(toText(Buffer.concat([bytes, Buffer.from([0])])), 'MALFORMED', /1 byte\(s\) after/);
    });
    it('recipient alg in both r_protected and r_unprotected', () => check(coupon({ algIn: 'both' }), 'MALFORMED', /both the protected and the unprotected/));
    it('recipient alg missing', () => check(coupon({ algIn: 'none' }), 'MALFORMED', /recipient alg is missing/));
    it('two recipients', () => check(coupon({ extraRecipients: [[new Uint8Array(0), new Map(), new Uint8Array(0)]] }), 'MALFORMED', /recipients must have 1/));
    it('an 11-byte IV', () => check(coupon({ unprotected: new Map([[HEADER.iv, new Uint8Array(11)]]) }), 'MALFORMED', /iv must be 12 bytes/));
    it('content alg in the unprotected header', () => {
      const u = new Map<number, CborValue>([[HEADER.iv, new Uint8Array(12)], [HEADER.alg, 3]]);
      check(coupon({ unprotected: u }), 'MALFORMED', /content alg must be in the protected header/);
    });
    it('an ephemeral key on another curve', () => {
      check(coupon({ ephemeralKey: (k) => new Map([...k, [-1, 6]]) }), 'MALFORMED', /crv must be 4/);
    });
    it('an ephemeral key with an extra parameter (d)', () => {
      check(coupon({ ephemeralKey: (k) => new Map([...k, [-4, new Uint8Array(32)]]) }), 'MALFORMED', /unexpected label -4/);
    });
    it('a non-canonical X25519 ephemeral key (bit 255 set, or u >= 2^255 - 19)', () => {
      const highBit = (k: CborMap) => {
        const x = Uint8Array.from(k.get(-2) as Uint8Array);
        x[31]! |= 0x80;
        return new Map([...k, [-2, x]]);
      };
      check(coupon({ ephemeralKey: highBit }), 'MALFORMED', /not a canonical X25519/);
      const p = Uint8Array.from([0xed, ...new Array<number>(30).fill(0xff), 0x7f]); // 2^255 - 19 itself
      check(coupon({ ephemeralKey: (k) => new Map([...k, [-2, p]]) }), 'MALFORMED', /not a canonical X25519/);
    });
    it('an RSA recipient ciphertext shorter than the modulus', () => {
      check(coupon({ to: merchantRsa, mangleWrappedKey: (c) => c.subarray(1) }), 'MALFORMED', /255 bytes, the key's modulus 256/);
    });
    it('an RSA recipient that carries an ephemeral key', () => {
      check(coupon({ recipientAlgHeader: ALG.RSAES_OAEP_SHA256 }), 'MALFORMED', /must not carry an ephemeral key/);
    });
    it('COSE_Sign1 alg taken from the unprotected header', () => {
      const s = sign1({ protectedMap: new Map([[HEADER.kid, platformA.kid]]), unprotected: new Map([[HEADER.alg, ALG.EdDSA]]) });
      check(coupon({}, s), 'MALFORMED', /alg and kid must be in the protected header only/);
    });
    it('COSE_Sign1 with a non-empty unprotected header', () => {
      check(coupon({}, sign1({ unprotected: new Map([[33, new Uint8Array(1)]]) })), 'MALFORMED', /unprotected header must be empty/);
    });
    it('decrypted content wrapped in CWT tag 61', () => {
      check(coupon({}, Buffer.concat([Buffer.from([0xd8, 0x3d]), sign1()])), 'MALFORMED', /not a tagged COSE_Sign1/);
    });
    it('decrypted content is an untagged COSE_Sign1', () => check(coupon({}, sign1({ tag: null })), 'MALFORMED', /not a tagged COSE_Sign1/));
    it('decrypted content has trailing bytes', () => {
      check(coupon({}, Buffer.concat([sign1(), Buffer.from([0xf6])])), 'MALFORMED', /decrypted content is not valid CBOR/);
    });
    it('signed claims that break §1 (quantity 0)', () => {
      const m = claimsToMap(sampleClaims());
      m.set(CLAIM.quantity, 0);
      check(coupon({}, sign1({}, m)), 'MALFORMED', /quantity/);
    });
    it('signed claims with a duplicate key', () => {
      const claims = encode(claimsToMap(sampleClaims()));
      assert.equal(claims[0], 0xaa); // a map of 10 entries; make it 11 with a second iss
      const payload = Buffer.concat([Buffer.from([0xab]), claims.subarray(1), encode(1), encode('again')]);
      check(coupon({}, sign1({ payload })), 'MALFORMED', /duplicate map key 1/);
    });
  });

  describe('UNSUPPORTED_ALGORITHM', () => {
    it('sign alg -7 (ES256)', () => {
      const ec = nodeEc();
      const s = sign1({ alg: -7 as never, signAs: (d) => sign('sha256', d, { key: ec, dsaEncoding: 'ieee-p1363' }) });
      check(coupon({}, s), 'UNSUPPORTED_ALGORITHM', /signature alg -7/);
    });
    it('content alg 2 (A192GCM)', () => check(coupon({ contentAlgHeader: 2 }), 'UNSUPPORTED_ALGORITHM', /content alg 2/));
    it('recipient alg -29 (ECDH-ES + A128KW)', () => check(coupon({ recipientAlgHeader: -29 }), 'UNSUPPORTED_ALGORITHM', /recipient alg -29/));
  });

  describe('UNKNOWN_MERCHANT_KEY', () => {
    it('a coupon encrypted to another merchant key', () => {
      const r = check(coupon({ to: otherMerchant }), 'UNKNOWN_MERCHANT_KEY', /recipient kid [0-9a-f]{16} is not one of this terminal's merchant keys/);
      assert.equal('claims' in r, false);
    });
  });

  describe('DECRYPTION_FAILED', () => {
    it('same kid, different X25519 key material', () => check(coupon({ to: otherMerchant, kid: merchantX.kid }), 'DECRYPTION_FAILED', /AES-GCM/));
    it('same kid, different RSA key material', () => check(coupon({ to: otherRsa, kid: merchantRsa.kid }), 'DECRYPTION_FAILED', /RSA-OAEP decryption failed/));
    it('a small-order X25519 ephemeral key (all-zero shared secret, RFC 7748 §6.1)', () => {
      check(coupon({ ephemeralKey: (k) => new Map([...k, [-2, new Uint8Array(32)]]) }), 'DECRYPTION_FAILED', /X25519 key agreement failed/);
    });
    it('a flipped ciphertext bit', () => check(coupon({ mangleCiphertext: (c) => flip(c, 5) }), 'DECRYPTION_FAILED'));
    it('a flipped tag bit', () => check(coupon({ mangleCiphertext: (c) => flip(c, c.length - 1) }), 'DECRYPTION_FAILED'));
    it('an RSA-OAEP recipient naming an X25519 merchant kid', () => {
      check(coupon({ to: merchantRsa, kid: merchantX.kid }), 'DECRYPTION_FAILED', /needs an rsa key, but merchant key [0-9a-f]+ is x25519/);
    });
  });

  describe('UNKNOWN_PLATFORM_KEY', () => {
    it('a signer kid not in the trust store', () => {
      const s = sign1({ signerKid: stranger.kid, privateKey: stranger.pair.privateKey });
      check(coupon({}, s), 'UNKNOWN_PLATFORM_KEY', /signer kid [0-9a-f]{16} is not in the trust store/);
    });
    it('a key whose validity window has not begun or has ended', () => {
      const windowed = keyring([platformTrust('platform-a', 'merchant-7', [platformA], { notBefore: NOW - 10, notAfter: NOW + 10 })], [merchantX]);
      const text = coupon();
      assert.equal(verifyCoupon(text, windowed, NOW - 10).reason, 'VALID');
      assert.equal(verifyCoupon(text, windowed, NOW + 9).reason, 'VALID');
      const early = verifyCoupon(text, windowed, NOW - 11);
      assert.equal(early.reason, 'UNKNOWN_PLATFORM_KEY');
      assert.match(early.message, /valid only from 2027-01-15T07:59:50Z/);
      const late = verifyCoupon(text, windowed, NOW + 10);
      assert.equal(late.reason, 'UNKNOWN_PLATFORM_KEY');
      assert.match(late.message, /valid only until 2027-01-15T08:00:10Z/);
    });
  });

  describe('BAD_SIGNATURE', () => {
    it('a flipped signature bit', () => check(coupon({}, sign1({ mangleSignature: (s) => flip(s, 3) })), 'BAD_SIGNATURE', /does not verify/));
    it('signed by another key under the trusted kid', () => check(coupon({}, sign1({ privateKey: stranger.pair.privateKey })), 'BAD_SIGNATURE'));
    it('a truncated signature', () => check(coupon({}, sign1({ mangleSignature: (s) => s.subarray(0, 63) })), 'BAD_SIGNATURE'));
    it('claims changed after signing', () => {
      // the genuine signature over quantity 2, carried with a payload saying 9
      const genuine = ((decode(sign1()) as Tagged).value as Uint8Array[])[3]!;
      const s = sign1({ signAs: () => genuine }, sampleClaims({ quantity: 9 }));
      check(coupon({}, s), 'BAD_SIGNATURE');
    });
    it('an RSA key signing with the alg of an Ed25519 key', () => {
      const ps = party(rsaPair(0));
      const ring2 = keyring([platformTrust('platform-a', 'merchant-7', [ps])], [merchantX]);
      const s = sign1({ signerKid: ps.kid, alg: ALG.EdDSA, signAs: () => new Uint8Array(64) });
      const r = verifyCoupon(coupon({}, s), ring2, NOW);
      assert.equal(r.reason, 'BAD_SIGNATURE');
      assert.match(r.message, /signed with alg -8, but signer kid [0-9a-f]+ is an alg -37 key/);
    });
  });

  describe('after a verified signature: the claims go with the verdict', () => {
    it('WRONG_PLATFORM: key bound to platform A, iss says B', () => {
      const r = check(coupon({}, sign1({}, sampleClaims({ iss: 'platform-b', aud: 'merchant-9' }))), 'WRONG_PLATFORM', /iss 'platform-b' is not 'platform-a'/);
      assert.equal(r.claims?.iss, 'platform-b');
      assert.equal(r.serial, '0410-6105-0R3G-G28A-1C60');
    });
    it('WRONG_MERCHANT: a dishonest merchant re-encrypts another merchant\'s coupon to us', () => {
      // The platform issued it to merchant-3's key; merchant-3 decrypts (it can) and re-encrypts to our key.
      const theirs = signClaims(sampleClaims({ aud: 'merchant-3' }), signer(platformA));
      const r = check(coupon({}, theirs), 'WRONG_MERCHANT', /aud 'merchant-3' is not 'merchant-7', this merchant's id at 'platform-a'/);
      assert.equal(r.claims?.aud, 'merchant-3');
      assert.ok(r.serial);
    });
    it('NOT_YET_VALID: now < nbf; valid from nbf on', () => {
      const text = coupon({}, sign1({}, sampleClaims({ nbf: NOW + 60 })));
      const r = check(text, 'NOT_YET_VALID', /not valid before 2027-01-15T08:01:00Z/);
      assert.ok(r.claims);
      check(text, 'VALID', undefined, NOW + 60);
    });
    it('EXPIRED: now >= exp', () => {
      const text = coupon({}, sign1({}, sampleClaims({ exp: NOW })));
      const r = check(text, 'EXPIRED', /expired at 2027-01-15T08:00:00Z/);
      assert.equal(r.serial, '0410-6105-0R3G-G28A-1C60');
      check(text, 'VALID', undefined, NOW - 1);
    });
    it('checks nbf before exp when both fail (§6 order)', () => {
      check(coupon({}, sign1({}, sampleClaims({ nbf: NOW + 10, exp: NOW - 10 }))), 'NOT_YET_VALID');
    });
  });

  describe('never throws', () => {
    it('on a non-string input or a non-finite now', () => {
      assert.equal(verifyCoupon(undefined as unknown as string, ring, NOW).reason, 'NOT_A_COUPON');
      assert.equal(verifyCoupon(coupon(), ring, Number.NaN).reason, 'MALFORMED');
    });
  });
});

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index]! ^= 0x01;
  return out;
}

function nodeEc() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}
