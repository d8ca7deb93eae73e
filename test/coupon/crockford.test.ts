import assert from 'node:assert/strict';
import { crockfordBase32, formatSerial } from '../../coupon/crockford.js';
import { fromHex } from './helpers.js';

describe('coupon/crockford', () => {
  // RFC 4648 §10 base32 vectors, mapped onto Crockford's alphabet, without '='.
  const VECTORS: [string, string][] = [
    ['', ''],
    ['f', 'CR'],
    ['fo', 'CSQG'],
    ['foo', 'CSQPY'],
    ['foob', 'CSQPYRG'],
    ['fooba', 'CSQPYRK1'],
    ['foobar', 'CSQPYRK1E8'],
  ];
  for (const [plain, b32] of VECTORS) {
    it(`encodes "${plain}" as "${b32}"`, () => assert.equal(crockfordBase32(new TextEncoder().encode(plain)), b32));
  }

  it('uses the whole alphabet and no I, L, O, U', () => {
    // 0x00 0x44 0x32 0x14 0xc7 0x42 0x54 0xb6 0x35 0xcf 0x84 0x65 0x3a 0x56 0xd7 0xc6 0x75 0xbe 0x77 0xdf = 0..31 in 5-bit groups
    const all = crockfordBase32(fromHex('00443214c74254b635cf84653a56d7c675be77df'));
    assert.equal(all, '0123456789ABCDEFGHJKMNPQRSTVWXYZ');
  });

  it('groups a 12-byte serial in fours', () => {
    assert.equal(formatSerial(fromHex('ffffffffffffffffffffffff')), 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZG');
    assert.equal(formatSerial(fromHex('0000000000000000')), '0000-0000-0000-0');
  });

  it('pads the last group with zero bits', () => {
    assert.equal(crockfordBase32(fromHex('80')), 'G0');
    assert.equal(crockfordBase32(fromHex('01')), '04');
  });
});
