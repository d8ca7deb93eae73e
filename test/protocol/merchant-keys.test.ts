import assert from 'node:assert/strict';
import { KeyError, generateKeyPair, kidOf, toHex } from '../../coupon/keys.js';
import type { MerchantKey } from '../../coupon/types.js';
import { MAX_MERCHANT_KEYS, MERCHANT_KEYS_CODES, decodeMerchantKeys, encodeMerchantKeys, type MerchantKeysResult } from '../../protocol/merchant-keys.js';
import { MerchantKeysSchema } from '../../protocol/merchant-keys-schema.js';
import { rsaPair } from '../coupon/fixtures.js';
import { utf8 } from './helpers.js';

function merchantKey(kind: 'x25519' | 'rsa'): MerchantKey {
  const pair = kind === 'rsa' ? rsaPair(2) : generateKeyPair('x25519');
  return { kid: kidOf(pair.publicKey), kind, privateKey: pair.privateKey };
}

const code = (r: MerchantKeysResult) => (r.ok ? 'OK' : r.code);

describe('protocol/merchant-keys', () => {
  const x = merchantKey('x25519');
  const rsa = merchantKey('rsa');
  const payload = () => JSON.parse(new TextDecoder().decode(encodeMerchantKeys([x, rsa]))) as { keys: Record<string, string>[] };
  const decode = (value: unknown) => decodeMerchantKeys(utf8(JSON.stringify(value)));

  it('the schema allows exactly MAX_MERCHANT_KEYS keys (the schema file states the limit itself)', () => {
    assert.equal((MerchantKeysSchema.properties.keys as { maxItems?: number }).maxItems, MAX_MERCHANT_KEYS);
  });

  it('round-trips X25519 and RSA keys, kid and kind included', () => {
    const json = payload();
    assert.deepEqual(Object.keys(json), ['keys']);
    assert.deepEqual(Object.keys(json.keys[0]!), ['kid', 'kind', 'pkcs8']);
    assert.equal(json.keys[0]!.kid, toHex(x.kid));
    assert.equal(json.keys[1]!.kind, 'rsa');
    const decoded = decodeMerchantKeys(encodeMerchantKeys([x, rsa]));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.keys.map((k) => [toHex(k.kid), k.kind]), [[toHex(x.kid), 'x25519'], [toHex(rsa.kid), 'rsa']]);
    assert.ok(decoded.keys[1]!.privateKey.equals(rsa.privateKey));
  });

  it('a kid or kind that is not the key\'s own, or a key twice, is refused', () => {
    const swapped = payload();
    swapped.keys[0]!.kid = toHex(rsa.kid);
    assert.equal(code(decode(swapped)), 'KID_MISMATCH');
    const kind = payload();
    kind.keys[0]!.kind = 'rsa';
    assert.equal(code(decode(kind)), 'KIND_MISMATCH');
    const twice = payload();
    twice.keys[1] = twice.keys[0]!;
    assert.equal(code(decode(twice)), 'DUPLICATE_KID');
  });

  it('a key that is unreadable or not a decryption key: BAD_KEY', () => {
    const garbage = payload();
    garbage.keys[0]!.pkcs8 = Buffer.from('not a key').toString('base64');
    assert.equal(code(decode(garbage)), 'BAD_KEY');
    const ed = generateKeyPair('ed25519');
    const signing = payload();
    signing.keys[0] = { kid: toHex(kidOf(ed.publicKey)), kind: 'x25519', pkcs8: ed.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64') };
    const verdict = decode(signing);
    assert.ok(!verdict.ok && verdict.code === 'BAD_KEY' && /ed25519/.test(verdict.message));
  });

  it('anything off the schema: INVALID_PAYLOAD, naming the field', () => {
    const extra = payload();
    (extra.keys[0] as Record<string, string>)['note'] = 'x';
    const cases: [unknown, RegExp][] = [
      [extra, /keys\.0: unexpected field 'note'/],
      [{ keys: [] }, /keys: must NOT have fewer than 1 items/],
      [{}, /missing field 'keys'/],
      [{ keys: [{ ...payload().keys[0], kid: 'ABC' }] }, /keys\.0\.kid/],
      [{ keys: [{ ...payload().keys[0], pkcs8: 'not base64!' }] }, /keys\.0\.pkcs8/],
      [{ keys: [{ ...payload().keys[0], kind: 'ed25519' }] }, /keys\.0\.kind/],
    ];
    for (const [value, message] of cases) {
      const verdict = decode(value);
      assert.ok(!verdict.ok && verdict.code === 'INVALID_PAYLOAD', JSON.stringify(verdict));
      assert.match(verdict.message, message);
    }
    assert.equal(code(decodeMerchantKeys(utf8('{"keys":'))), 'INVALID_PAYLOAD');
    assert.equal(code(decodeMerchantKeys(new Uint8Array([0xff, 0xfe]))), 'INVALID_PAYLOAD');
    for (const c of MERCHANT_KEYS_CODES) assert.equal(typeof c, 'string');
  });

  it('refuses to encode a signing key, a mislabelled key, a key twice or no key', () => {
    const ed = generateKeyPair('ed25519');
    assert.throws(() => encodeMerchantKeys([{ kid: kidOf(ed.publicKey), kind: 'x25519', privateKey: ed.privateKey }]), KeyError);
    assert.throws(() => encodeMerchantKeys([{ ...x, kid: rsa.kid }]), KeyError);
    assert.throws(() => encodeMerchantKeys([x, x]), KeyError);
    assert.throws(() => encodeMerchantKeys([]), TypeError);
  });
});
