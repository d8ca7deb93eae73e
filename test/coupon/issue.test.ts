import assert from 'node:assert/strict';
import { decode, Tagged } from '../../coupon/cbor.js';
import { encodeCoupon, issueCoupon } from '../../coupon/issue.js';
import { generateKeyPair, toHex } from '../../coupon/keys.js';
import { ALG, type ContentAlg } from '../../coupon/types.js';
import { verifyCoupon } from '../../coupon/verify.js';
import { NOW, keyring, party, platformTrust, recipient, rsaPair, sampleClaims, signer, type Party } from './fixtures.js';

describe('coupon/issue → verify round trip', () => {
  let parties: Record<'ed' | 'ps' | 'x' | 'rsa', Party>;
  before(() => {
    parties = {
      ed: party(generateKeyPair('ed25519')),
      ps: party(rsaPair(0)),
      x: party(generateKeyPair('x25519')),
      rsa: party(rsaPair(1)),
    };
  });

  const contentAlgs: [string, ContentAlg][] = [['A128GCM', ALG.A128GCM], ['A256GCM', ALG.A256GCM]];
  for (const signWith of ['ed', 'ps'] as const) {
    for (const to of ['x', 'rsa'] as const) {
      for (const [algName, contentAlg] of contentAlgs) {
        it(`${signWith === 'ed' ? 'EdDSA' : 'PS256'} signer, ${to === 'x' ? 'X25519' : 'RSA-OAEP'} recipient, ${algName}`, () => {
          const claims = sampleClaims();
          const ring = keyring([platformTrust('platform-a', 'merchant-7', [parties[signWith]])], [parties[to]]);
          const text = issueCoupon(claims, { signer: signer(parties[signWith]), recipient: recipient(parties[to]), contentAlg });
          assert.ok(text.startsWith('2G'), text.slice(0, 4));
          const result = verifyCoupon(text, ring, NOW);
          assert.equal(result.reason, 'VALID', result.message);
          assert.ok(result.ok);
          assert.deepEqual(result.claims, claims);
          assert.equal(result.serial, '0410-6105-0R3G-G28A-1C60');
          assert.equal(result.signerKid, toHex(parties[signWith].kid));
          assert.equal(result.merchantKid, toHex(parties[to].kid));
        });
      }
    }
  }

  it('writes the layout of §3: A256GCM by default, recipient alg in r_protected, IV from rng', () => {
    const bytes = encodeCoupon(sampleClaims(), {
      signer: signer(parties.ed),
      recipient: recipient(parties.x),
      rng: (n) => new Uint8Array(n).fill(0xab),
    });
    const outer = decode(bytes) as Tagged;
    assert.equal(outer.tag, 96);
    const [p, u, , recipients] = outer.value as [Uint8Array, Map<number, Uint8Array>, Uint8Array, unknown[][]];
    assert.equal(toHex(p), 'a10103');
    assert.equal(toHex(u.get(5)!), 'ab'.repeat(12));
    const [rp, ru, rc] = recipients[0] as [Uint8Array, Map<number, unknown>, Uint8Array];
    assert.equal(toHex(rp), 'a1013818');
    assert.deepEqual([...ru.keys()].sort(), [-1, 4]);
    assert.equal(rc.length, 0);
  });

  it('uses a fresh ephemeral key per X25519 coupon', () => {
    const opts = { signer: signer(parties.ed), recipient: recipient(parties.x) };
    assert.notEqual(issueCoupon(sampleClaims(), opts), issueCoupon(sampleClaims(), opts));
  });

  it('keeps the compact suite under 420 Base64 characters for the format example sizes', () => {
    const claims = sampleClaims({ title: 'x'.repeat(20) });
    const text = issueCoupon(claims, { signer: signer(parties.ed), recipient: recipient(parties.x) });
    assert.ok(text.length <= 420, `${text.length} characters`);
  });

  it('refuses to issue invalid claims', () => {
    assert.throws(() => issueCoupon(sampleClaims({ quantity: 0 }), { signer: signer(parties.ed), recipient: recipient(parties.x) }), /quantity/);
  });
});
