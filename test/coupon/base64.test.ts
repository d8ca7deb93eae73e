import assert from 'node:assert/strict';
import { Base64Error, MAX_TEXT_CHARS, decodeBase64, encodeBase64 } from '../../coupon/base64.js';
import { toHex } from './helpers.js';

describe('coupon/base64', () => {
  // RFC 4648 §10 test vectors
  const RFC4648: [string, string][] = [
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ];
  for (const [plain, b64] of RFC4648) {
    it(`encodes "${plain}" as "${b64}"`, () => assert.equal(encodeBase64(new TextEncoder().encode(plain)), b64));
    if (b64 !== '') {
      it(`decodes "${b64}" and its unpadded form`, () => {
        assert.equal(Buffer.from(decodeBase64(b64)).toString(), plain);
        assert.equal(Buffer.from(decodeBase64(b64.replace(/=+$/, ''))).toString(), plain);
      });
    }
  }

  it('accepts the URL-safe alphabet', () => {
    assert.equal(toHex(decodeBase64('-_-_')), 'fbffbf');
    assert.equal(toHex(decodeBase64('+/+/')), 'fbffbf');
  });

  it('trims surrounding white space (scanners append CR/LF)', () => {
    assert.equal(toHex(decodeBase64(' \t2GA=\r\n')), 'd860');
  });

  const REJECTED: [string, string, string][] = [
    ['empty text', '', 'EMPTY'],
    ['only white space', ' \r\n', 'EMPTY'],
    ['inner space', 'Zm9v Yg==', 'BAD_CHARACTER'],
    ['inner newline', 'Zm9v\nYg==', 'BAD_CHARACTER'],
    ['a dot', 'Zm9v.g==', 'BAD_CHARACTER'],
    ['non-ASCII', 'Zm9vYé==', 'BAD_CHARACTER'],
    ['mixed alphabets', 'ab+_', 'BAD_CHARACTER'],
    ['"=" inside', 'Zg==Zg==', 'BAD_CHARACTER'],
    ['three "="', 'Zg===', 'BAD_CHARACTER'],
    ['one dangling character', 'Zm9vY', 'BAD_LENGTH'],
    ['wrong padding count', 'Zm8==', 'BAD_PADDING'],
    ['padding on a full quantum', 'Zm9v=', 'BAD_PADDING'],
    ['non-zero padding bits', 'Zh==', 'BAD_PADDING'],
    ['non-zero padding bits, unpadded', 'Zm9=', 'BAD_PADDING'],
  ];
  for (const [what, text, code] of REJECTED) {
    it(`rejects ${what} with ${code}`, () => {
      assert.throws(
        () => decodeBase64(text),
        (e: unknown) => e instanceof Base64Error && e.code === code,
      );
    });
  }

  it(`decodes ${MAX_TEXT_CHARS} characters and refuses one more`, () => {
    assert.equal(decodeBase64('A'.repeat(MAX_TEXT_CHARS)).length, (MAX_TEXT_CHARS / 4) * 3);
    assert.throws(
      () => decodeBase64('A'.repeat(MAX_TEXT_CHARS + 4)),
      (e: unknown) => e instanceof Base64Error && e.code === 'TOO_LONG',
    );
  });

  it('counts surrounding white space towards the cap: padding never makes an over-long text acceptable', () => {
    const text = 'A'.repeat(100);
    assert.equal(decodeBase64(` ${text}\r\n`).length, 75);
    for (const padded of [text + ' '.repeat(5000) + 'JUNK', text + ' '.repeat(MAX_TEXT_CHARS), ' '.repeat(MAX_TEXT_CHARS) + text, 'A'.repeat(MAX_TEXT_CHARS) + '\n']) {
      assert.throws(
        () => decodeBase64(padded),
        (e: unknown) => e instanceof Base64Error && e.code === 'TOO_LONG' && e.message.includes(`${padded.length} characters`),
      );
    }
  });

  it('names the offending character and its position', () => {
    assert.throws(() => decodeBase64('2GA\u00a0x'), /U\+00A0 at position 3/);
  });
});
