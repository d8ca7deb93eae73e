import assert from 'node:assert/strict';
import { decode, encode, type CborMap, type CborValue } from '../../coupon/cbor.js';
import { CLAIM, ClaimsError, claimsFromMap, claimsToJson, claimsToMap } from '../../coupon/claims.js';
import { fromHex } from './helpers.js';
import { sampleClaims } from './fixtures.js';

function mapWith(change: (m: CborMap) => void): CborMap {
  const m = claimsToMap(sampleClaims());
  change(m);
  return m;
}

describe('coupon/claims', () => {
  it('round-trips through CBOR', () => {
    const c = sampleClaims();
    assert.deepEqual(claimsFromMap(decode(encode(claimsToMap(c)))), c);
  });

  it('omits the optional nbf and title when absent', () => {
    const c = sampleClaims({ nbf: undefined, title: undefined });
    delete c.nbf;
    delete c.title;
    const m = claimsToMap(c);
    assert.equal(m.has(CLAIM.nbf), false);
    assert.equal(m.has(CLAIM.title), false);
    assert.deepEqual(claimsFromMap(m), c);
  });

  it('ignores unknown keys, integer or text', () => {
    const m = mapWith((x) => {
      x.set(8, 'cnf');
      x.set(-70000, [1, 2]);
      x.set('note', true);
    });
    assert.deepEqual(claimsFromMap(m), sampleClaims());
  });

  const BROKEN: [string, (m: CborMap) => void, RegExp][] = [
    ['missing iss', (m) => m.delete(CLAIM.iss), /iss \(1\) is missing/],
    ['missing exp', (m) => m.delete(CLAIM.exp), /exp \(4\) is missing/],
    ['missing iat', (m) => m.delete(CLAIM.iat), /iat \(6\) is missing/],
    ['missing cti', (m) => m.delete(CLAIM.cti), /cti \(7\) is missing/],
    ['missing product', (m) => m.delete(CLAIM.product), /product \(-65537\) is missing/],
    ['missing quantity', (m) => m.delete(CLAIM.quantity), /quantity \(-65538\) is missing/],
    ['iss as bytes', (m) => m.set(CLAIM.iss, fromHex('00')), /iss \(1\) must be a text/],
    ['aud as integer', (m) => m.set(CLAIM.aud, 7), /aud \(3\) must be a text/],
    ['exp as text', (m) => m.set(CLAIM.exp, '1800000000'), /exp \(4\) must be an integer/],
    ['exp beyond 2^53', (m) => m.set(CLAIM.exp, 2n ** 60n), /exp \(4\) must be an integer/],
    ['nbf as null', (m) => m.set(CLAIM.nbf, null), /nbf \(5\) must be an integer/],
    ['cti of 7 bytes', (m) => m.set(CLAIM.cti, new Uint8Array(7)), /8 to 32 bytes, got 7/],
    ['cti of 33 bytes', (m) => m.set(CLAIM.cti, new Uint8Array(33)), /8 to 32 bytes, got 33/],
    ['cti as text', (m) => m.set(CLAIM.cti, 'abcdefgh'), /cti \(7\) must be a byte string/],
    ['quantity 0', (m) => m.set(CLAIM.quantity, 0), /1 to 10000, got 0/],
    ['quantity 10001', (m) => m.set(CLAIM.quantity, 10001), /got 10001/],
    ['quantity negative', (m) => m.set(CLAIM.quantity, -1), /got -1/],
    ['title of 49 bytes', (m) => m.set(CLAIM.title, 'x'.repeat(49)), /at most 48 UTF-8 bytes, got 49/],
    ['title of 17 CJK characters (51 bytes)', (m) => m.set(CLAIM.title, '火'.repeat(17)), /got 51/],
  ];
  for (const [what, change, message] of BROKEN) {
    it(`rejects ${what}`, () => {
      assert.throws(() => claimsFromMap(mapWith(change)), (e: unknown) => e instanceof ClaimsError && message.test(e.message));
    });
  }

  it('accepts the boundaries', () => {
    const m = mapWith((x) => {
      x.set(CLAIM.cti, new Uint8Array(32));
      x.set(CLAIM.quantity, 10000);
      x.set(CLAIM.title, '火'.repeat(16));
      x.set(CLAIM.exp, -1);
    });
    const c = claimsFromMap(m);
    assert.equal(c.quantity, 10000);
    assert.equal(c.cti.length, 32);
    assert.equal(c.exp, -1);
  });

  it('refuses to issue claims that break a rule', () => {
    assert.throws(() => claimsToMap(sampleClaims({ quantity: 0 })), ClaimsError);
    assert.throws(() => claimsToMap(sampleClaims({ cti: new Uint8Array(4) })), ClaimsError);
    assert.throws(() => claimsToMap(sampleClaims({ exp: 1.5 })), ClaimsError);
  });

  it('rejects a claims set that is not a map', () => {
    assert.throws(() => claimsFromMap([1, 2] as CborValue), /claims must be a CBOR map, got a array/);
  });

  it('decodes the RFC 8392 Appendix A.1 claims set bytes', () => {
    const a1 = fromHex(
      'a70175636f61703a2f2f61732e6578616d706c652e636f6d02656572696b77037818636f61703a2f2f6c696768742e6578616d706c652e636f6d041a5612aeb0051a5610d9f0061a5610d9f007420b71',
    );
    const m = decode(a1) as CborMap;
    assert.equal(m.get(CLAIM.iss), 'coap://as.example.com');
    assert.equal(m.get(CLAIM.sub), 'erikw');
    assert.equal(m.get(CLAIM.aud), 'coap://light.example.com');
    assert.equal(m.get(CLAIM.exp), 1444064944);
    assert.equal(m.get(CLAIM.nbf), 1443944944);
    assert.equal(m.get(CLAIM.iat), 1443944944);
    assert.deepEqual(m.get(CLAIM.cti), fromHex('0b71'));
    // our encoder reproduces the RFC's bytes exactly (it is deterministic and so is A.1)
    assert.deepEqual(encode(m), a1);
    // as a coupon it breaks §1: a 2-byte cti and no product or quantity
    assert.throws(() => claimsFromMap(m), /cti \(7\) must be 8 to 32 bytes, got 2/);
  });

  it('renders JSON with cti in hex and the serial', () => {
    const j = claimsToJson(sampleClaims());
    assert.equal(j.cti, '0102030405060708090a0b0c');
    // expected value from Python's base64.b32encode, mapped onto Crockford's alphabet
    assert.equal(j.serial, '0410-6105-0R3G-G28A-1C60');
    assert.equal(j.quantity, 2);
  });
});
