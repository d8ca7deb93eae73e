import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SerialError, crockfordBase32, crockfordDecode, formatSerial, parseSerial, type SerialErrorCode } from '../../coupon/crockford.js';
import { fromHex } from './helpers.js';

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

describe('coupon/crockford', () => {
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

describe('coupon/crockford parseSerial', () => {
  it('reads what formatSerial writes', () => {
    assert.deepEqual(parseSerial('ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZG'), fromHex('ffffffffffffffffffffffff'));
    assert.deepEqual(parseSerial('0000-0000-0000-0'), fromHex('0000000000000000'));
  });

  const SAME: [string, string][] = [
    ['lower case', 'zzzz-zzzz-zzzz-zzzz-zzzg'],
    ['no dashes', 'ZZZZZZZZZZZZZZZZZZZG'],
    ['spaces and stray dashes', ' ZZZZ ZZZZ--ZZZZ zzzz-ZZZG\n'],
  ];
  for (const [what, text] of SAME) {
    it(`accepts ${what}`, () => assert.deepEqual(parseSerial(text), fromHex('ffffffffffffffffffffffff')));
  }

  it("reads Crockford's aliases: O as 0, I and L as 1", () => {
    assert.deepEqual(parseSerial('oOoO-0000-0000-0'), fromHex('0000000000000000'));
    assert.deepEqual(parseSerial('iIlL-1111-1111-1111-111G'), parseSerial('1111-1111-1111-1111-111G'));
  });

  it('decodes the whole alphabet, and the RFC 4648 vectors without the length bound', () => {
    assert.deepEqual(crockfordDecode('0123456789ABCDEFGHJKMNPQRSTVWXYZ'), fromHex('00443214c74254b635cf84653a56d7c675be77df'));
    for (const [plain, b32] of VECTORS) assert.equal(new TextDecoder().decode(crockfordDecode(b32)), plain);
  });

  const BAD: [string, string, SerialErrorCode][] = [
    ['empty', ' - ', 'EMPTY'],
    ['U is not a symbol', 'UUUU-0000-0000-0', 'BAD_CHARACTER'],
    ['punctuation', '0000.0000-0000-0', 'BAD_CHARACTER'],
    ['an impossible symbol count (14)', '0000-0000-0000-00', 'BAD_LENGTH'],
    ['7 bytes', '0000-0000-0000', 'BAD_LENGTH'],
    ['33 bytes', '0'.repeat(53), 'BAD_LENGTH'],
    ['non-zero padding bits', 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZH', 'NONZERO_PADDING'],
  ];
  for (const [what, text, code] of BAD) {
    it(`refuses ${what}: ${code}`, () => assert.throws(() => parseSerial(text), (err: unknown) => err instanceof SerialError && err.code === code));
  }

  it('names the bad character', () => {
    assert.throws(() => parseSerial('7Q2K-9XHD-U000-0'), /'U' is not a Crockford Base32 symbol/);
  });

  it('round-trips every serial of 8 to 32 bytes, in any case, with or without dashes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 32 }), fc.boolean(), (cti, lower) => {
        const shown = formatSerial(cti);
        assert.deepEqual(parseSerial(lower ? shown.toLowerCase() : shown), cti);
        assert.deepEqual(parseSerial(shown.replaceAll('-', '')), cti);
      }),
    );
  });

  it('never throws anything but a SerialError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (text) => {
        try {
          const cti = parseSerial(text);
          assert.ok(cti.length >= 8 && cti.length <= 32);
        } catch (err) {
          assert.ok(err instanceof SerialError);
        }
      }),
    );
  });
});
