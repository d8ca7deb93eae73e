/**
 * Properties (fast-check): tampering never yields VALID, and no input makes
 * the verifier throw or answer outside the reason list.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Tagged, decode, encode, type CborValue } from '../../coupon/cbor.js';
import { claimsFromMap, claimsToMap } from '../../coupon/claims.js';
import { encodeCoupon } from '../../coupon/issue.js';
import { generateKeyPair } from '../../coupon/keys.js';
import type { Keyring } from '../../coupon/keyring.js';
import { REASONS } from '../../coupon/reasons.js';
import type { Claims } from '../../coupon/types.js';
import { verifyCoupon } from '../../coupon/verify.js';
import { NOW, keyring, party, platformTrust, recipient, rsaPair, sampleClaims, signer, type Party } from './fixtures.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Verifies and checks the two promises that hold for every input. */
function verdict(text: string, ring: Keyring, now = NOW) {
  const r = verifyCoupon(text, ring, now);
  assert.ok((REASONS as readonly string[]).includes(r.reason), r.reason);
  assert.equal(typeof r.message, 'string');
  return r;
}

const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -70000, max: 70000 }),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }).filter((n) => n < -(2n ** 53n) || n > 2n ** 53n),
    fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/[\uD800-\uDFFF]/.test(s)),
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom<CborValue>(true, false, null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(fc.tuple(fc.oneof(fc.integer({ min: -70000, max: 70000 }), fc.string({ maxLength: 4 })), tie('value')), { maxLength: 5 })
      .map((entries) => new Map(entries)),
    fc.tuple(fc.constantFrom(96, 18, 16, 1), tie('value')).map(([tag, v]) => new Tagged(tag, v)),
  ),
})).value;

const claimsArb: fc.Arbitrary<Claims> = fc
  .record({
    iss: fc.string({ maxLength: 12 }),
    sub: fc.string({ maxLength: 12 }),
    aud: fc.string({ maxLength: 12 }),
    exp: fc.integer({ min: NOW + 1, max: 4_000_000_000 }),
    nbf: fc.option(fc.integer({ min: 0, max: NOW }), { nil: undefined }),
    iat: fc.integer({ min: 0, max: NOW }),
    cti: fc.uint8Array({ minLength: 8, maxLength: 32 }),
    product: fc.string({ maxLength: 20 }),
    quantity: fc.integer({ min: 1, max: 10000 }),
    title: fc.option(fc.string({ maxLength: 16 }), { nil: undefined }),
  })
  .map((c) => {
    const out: Claims = { ...c };
    if (c.nbf === undefined) delete out.nbf;
    if (c.title === undefined) delete out.title;
    return out;
  });

describe('coupon properties', () => {
  let ed: Party;
  let x: Party;
  let rsa: Party;
  let ring: Keyring;
  let compact: Uint8Array;
  let rsaCoupon: Uint8Array;

  before(() => {
    ed = party(generateKeyPair('ed25519'));
    x = party(generateKeyPair('x25519'));
    rsa = party(rsaPair(1));
    ring = keyring([platformTrust('platform-a', 'merchant-7', [ed])], [x, rsa]);
    compact = encodeCoupon(sampleClaims(), { signer: signer(ed), recipient: recipient(x) });
    rsaCoupon = encodeCoupon(sampleClaims(), { signer: signer(ed), recipient: recipient(rsa) });
    assert.equal(verdict(b64(compact), ring).reason, 'VALID');
    assert.equal(verdict(b64(rsaCoupon), ring).reason, 'VALID');
  });

  it('flipping any single bit of a compact coupon never yields VALID (every bit)', () => {
    for (let bit = 0; bit < compact.length * 8; bit++) {
      const bytes = Uint8Array.from(compact);
      bytes[bit >> 3]! ^= 0x80 >> (bit & 7);
      const r = verdict(b64(bytes), ring);
      assert.notEqual(r.reason, 'VALID', `bit ${bit}`);
    }
  });

  it('flipping a bit or replacing a byte of an RSA-suite coupon never yields VALID', () => {
    fc.assert(
      fc.property(fc.nat(rsaCoupon.length - 1), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const bytes = Uint8Array.from(rsaCoupon);
        bytes[index]! ^= mask;
        assert.notEqual(verdict(b64(bytes), ring).reason, 'VALID');
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary strings never throw and never yield VALID', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.base64String({ maxLength: 600 }), fc.string({ maxLength: 5000 })), (s) => {
        assert.notEqual(verdict(s, ring).reason, 'VALID');
        assert.notEqual(verdict(`2G${s}`, ring).reason, 'VALID');
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary bytes behind a tag-96 head never throw and never yield VALID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (tail) => {
        const bytes = Buffer.concat([Buffer.from([0xd8, 0x60]), tail]);
        assert.notEqual(verdict(b64(bytes), ring).reason, 'VALID');
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary CBOR, tagged 96 or shaped like a COSE_Encrypt, never throws and never yields VALID', () => {
    const shaped = fc.tuple(cborValue, cborValue, cborValue, cborValue).map((parts) => new Tagged(96, parts));
    fc.assert(
      fc.property(fc.oneof(cborValue, cborValue.map((v) => new Tagged(96, v)), shaped), (value) => {
        assert.notEqual(verdict(b64(encode(value)), ring).reason, 'VALID');
      }),
      { numRuns: 500 },
    );
  });

  it('CBOR: decode(encode(v)) is v, and decoding random bytes only ever throws CborError', () => {
    fc.assert(
      fc.property(cborValue, (v) => {
        assert.deepEqual(decode(encode(v)), v);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decode(bytes);
        } catch (err) {
          assert.equal((err as Error).name, 'CborError');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('random claims round-trip through the claims map, and through issue and verify', () => {
    fc.assert(
      fc.property(claimsArb, (c) => {
        assert.deepEqual(claimsFromMap(decode(encode(claimsToMap(c)))), c);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(claimsArb, (c) => {
        const claims = { ...c, iss: 'platform-a', aud: 'merchant-7' };
        const r = verdict(b64(encodeCoupon(claims, { signer: signer(ed), recipient: recipient(x) })), ring);
        assert.equal(r.reason, 'VALID', r.message);
        assert.deepEqual(r.claims, claims);
      }),
      { numRuns: 50 },
    );
  });
});
