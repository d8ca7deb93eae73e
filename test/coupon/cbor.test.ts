import assert from 'node:assert/strict';
import { CborError, Tagged, decode, encode, peekTag, type CborValue } from '../../coupon/cbor.js';
import { fromHex, toHex } from './helpers.js';

const m = (entries: [number | string, CborValue][]): CborValue => new Map(entries);

// RFC 8949 Appendix A (the items this codec supports), value ↔ encoding.
const APPENDIX_A: [string, CborValue, string][] = [
  ['0', 0, '00'],
  ['1', 1, '01'],
  ['10', 10, '0a'],
  ['23', 23, '17'],
  ['24', 24, '1818'],
  ['25', 25, '1819'],
  ['100', 100, '1864'],
  ['1000', 1000, '1903e8'],
  ['1000000', 1000000, '1a000f4240'],
  ['1000000000000', 1000000000000, '1b000000e8d4a51000'],
  ['18446744073709551615', 18446744073709551615n, '1bffffffffffffffff'],
  ['-18446744073709551616', -18446744073709551616n, '3bffffffffffffffff'],
  ['-1', -1, '20'],
  ['-10', -10, '29'],
  ['-100', -100, '3863'],
  ['-1000', -1000, '3903e7'],
  ['false', false, 'f4'],
  ['true', true, 'f5'],
  ['null', null, 'f6'],
  ["h''", new Uint8Array(0), '40'],
  ["h'01020304'", fromHex('01020304'), '4401020304'],
  ['""', '', '60'],
  ['"a"', 'a', '6161'],
  ['"IETF"', 'IETF', '6449455446'],
  ['"\\"\\\\"', '"\\', '62225c'],
  ['"ü"', '\u00fc', '62c3bc'],
  ['"水"', '\u6c34', '63e6b0b4'],
  ['"𐅑"', '\u{10151}', '64f0908591'],
  ['[]', [], '80'],
  ['[1, 2, 3]', [1, 2, 3], '83010203'],
  ['[1, [2, 3], [4, 5]]', [1, [2, 3], [4, 5]], '8301820203820405'],
  [
    '[1, ..., 25]',
    Array.from({ length: 25 }, (_, i) => i + 1),
    '98190102030405060708090a0b0c0d0e0f101112131415161718181819',
  ],
  ['{}', new Map(), 'a0'],
  ['{1: 2, 3: 4}', m([[1, 2], [3, 4]]), 'a201020304'],
  ['{"a": 1, "b": [2, 3]}', m([['a', 1], ['b', [2, 3]]]), 'a26161016162820203'],
  ['["a", {"b": "c"}]', ['a', m([['b', 'c']])], '826161a161626163'],
  [
    '{"a": "A", ..., "e": "E"}',
    m([['a', 'A'], ['b', 'B'], ['c', 'C'], ['d', 'D'], ['e', 'E']]),
    'a56161614161626142616361436164614461656145',
  ],
  ['0("2013-03-21T20:04:00Z")', new Tagged(0, '2013-03-21T20:04:00Z'), 'c074323031332d30332d32315432303a30343a30305a'],
  ['1(1363896240)', new Tagged(1, 1363896240), 'c11a514b67b0'],
  ["23(h'01020304')", new Tagged(23, fromHex('01020304')), 'd74401020304'],
  ["24(h'6449455446')", new Tagged(24, fromHex('6449455446')), 'd818456449455446'],
  [
    '32("http://www.example.com")',
    new Tagged(32, 'http://www.example.com'),
    'd82076687474703a2f2f7777772e6578616d706c652e636f6d',
  ],
];

describe('coupon/cbor', () => {
  describe('RFC 8949 Appendix A', () => {
    for (const [diag, value, hex] of APPENDIX_A) {
      it(`encodes ${diag} as ${hex}`, () => assert.equal(toHex(encode(value)), hex));
      it(`decodes ${hex} to ${diag}`, () => assert.deepEqual(decode(fromHex(hex)), value));
    }
  });

  it('sorts map keys by their encoded bytes (deterministic encoding)', () => {
    const claimsLike = m([[-65537, 'p'], [7, 'c'], [1, 'i'], ['z', 0], [-1, 0]]);
    // 01, 07, 20 (-1), 3a00010000 (-65537), 617a ("z")
    assert.equal(toHex(encode(claimsLike)), 'a501616907616320003a000100006170617a00');
  });

  it('encodes the format extension keys -65537..-65539 in five bytes', () => {
    assert.equal(toHex(encode(-65537)), '3a00010000');
    assert.equal(toHex(encode(-65539)), '3a00010002');
    assert.equal(decode(fromHex('3a00010001')), -65538);
  });

  // RFC 8949 allows longer heads; the preferred serialization (§4.2.1), which the format requires, does not
  const NOT_SHORTEST: [string, string][] = [
    ['0 in a 1-byte argument', '1800'],
    ['23 in a 1-byte argument', '1817'],
    ['255 in a 2-byte argument', '1900ff'],
    ['65535 in a 4-byte argument', '1a0000ffff'],
    ['1 in an 8-byte argument', '1b0000000000000001'],
    ['2^32 - 1 in an 8-byte argument', '1b00000000ffffffff'],
    ['-1 in a 1-byte argument', '3800'],
    ['a byte string length', '5800'],
    ['a text string length', '780161'],
    ['an array count', '980100'],
    ['a map count', 'b9000101 02'],
    ['a tag number', 'd9006000'],
    ['a head nested in an array', '82 01 1801'],
  ];
  for (const [what, hex] of NOT_SHORTEST) {
    it(`rejects ${what} (not the shortest head) with NOT_SHORTEST`, () => {
      assert.throws(
        () => decode(fromHex(hex)),
        (e: unknown) => e instanceof CborError && e.code === 'NOT_SHORTEST' && /shortest head/.test(e.message),
      );
    });
  }

  it('accepts each head size at its smallest argument', () => {
    assert.equal(decode(fromHex('1818')), 24);
    assert.equal(decode(fromHex('190100')), 256);
    assert.equal(decode(fromHex('1a00010000')), 65536);
    assert.equal(decode(fromHex('1b0000000100000000')), 2 ** 32);
  });

  const REJECTED: [string, string, string][] = [
    ['trailing bytes', '0000', 'TRAILING_BYTES'],
    ['empty input', '', 'TRUNCATED'],
    ['truncated head', '19 01', 'TRUNCATED'],
    ['truncated string', '43 0102', 'TRUNCATED'],
    ['a byte string longer than the input', '5a ffffffff 00', 'TRUNCATED'],
    ['an 8-byte length beyond the input', '5b ffffffffffffffff', 'TRUNCATED'],
    ['an array count beyond the input', '9a 7fffffff 00', 'TRUNCATED'],
    ['a map count beyond the input', 'b9 ffff 0000', 'TRUNCATED'],
    ['indefinite byte string', '5f 42 0102 ff', 'INDEFINITE_LENGTH'],
    ['indefinite array', '9f ff', 'INDEFINITE_LENGTH'],
    ['indefinite map', 'bf ff', 'INDEFINITE_LENGTH'],
    ['a lone break', 'ff', 'INDEFINITE_LENGTH'],
    ['reserved info 28 (uint)', '1c', 'RESERVED_INFO'],
    ['reserved info 29 (bstr)', '5d', 'RESERVED_INFO'],
    ['reserved info 30 (map)', 'be', 'RESERVED_INFO'],
    ['duplicate integer map key', 'a2 01 02 01 03', 'DUPLICATE_KEY'],
    ['duplicate text map key', 'a2 6161 01 6161 02', 'DUPLICATE_KEY'],
    ['an array as map key', 'a1 80 00', 'UNSUPPORTED_KEY'],
    ['invalid UTF-8', '62 c328', 'INVALID_UTF8'],
    ['UTF-8 surrogate', '63 eda080', 'INVALID_UTF8'],
    ['half float', 'f9 0000', 'UNSUPPORTED_SIMPLE'],
    ['double float', 'fb 3ff199999999999a', 'UNSUPPORTED_SIMPLE'],
    ['undefined', 'f7', 'UNSUPPORTED_SIMPLE'],
    ['simple(16)', 'f0', 'UNSUPPORTED_SIMPLE'],
    ['simple(255)', 'f8ff', 'UNSUPPORTED_SIMPLE'],
    ['17 nested arrays', '81'.repeat(17) + '00', 'TOO_DEEP'],
    ['a tag beyond 2^53', 'db ffffffffffffffff 00', 'INT_RANGE'],
  ];
  for (const [what, hex, code] of REJECTED) {
    it(`rejects ${what} with ${code}`, () => {
      assert.throws(
        () => decode(fromHex(hex)),
        (e: unknown) => e instanceof CborError && e.code === code,
      );
    });
  }

  it('accepts nesting up to the limit', () => {
    assert.deepEqual(decode(fromHex('81'.repeat(16) + '00')), [[[[[[[[[[[[[[[[0]]]]]]]]]]]]]]]]);
  });

  it('keeps a leading byte order mark in text', () => {
    assert.equal(decode(fromHex('63efbbbf')), '\ufeff');
  });

  it('peeks the first tag without decoding the rest', () => {
    assert.equal(peekTag(fromHex('d860 ff')), 96);
    assert.equal(peekTag(fromHex('d2 80')), 18);
    assert.equal(peekTag(fromHex('84')), undefined);
    assert.equal(peekTag(fromHex('d8')), undefined);
    // classifying is by value: a long tag head is still tag 96 (decode() then refuses it)
    assert.equal(peekTag(fromHex('d90060 ff')), 96);
    assert.equal(peekTag(new Uint8Array(0)), undefined);
  });

  it('refuses to encode non-integers', () => {
    assert.throws(() => encode(1.5), (e: unknown) => e instanceof CborError && e.code === 'UNENCODABLE');
  });
});
