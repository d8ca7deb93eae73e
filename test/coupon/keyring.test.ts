import assert from 'node:assert/strict';
import { Keyring } from '../../coupon/keyring.js';
import { KeyError, generateKeyPair } from '../../coupon/keys.js';
import { ALG } from '../../coupon/types.js';
import { keyring, party, platformTrust } from './fixtures.js';

const isKeyError = (code: string) => (e: unknown) => e instanceof KeyError && e.code === code;

describe('coupon/keyring', () => {
  const ed1 = party(generateKeyPair('ed25519'));
  const ed2 = party(generateKeyPair('ed25519'));
  const x1 = party(generateKeyPair('x25519'));
  const x2 = party(generateKeyPair('x25519'));

  it('finds platform and merchant keys by kid', () => {
    const ring = keyring([platformTrust('A', 'm-at-a', [ed1]), platformTrust('B', 'm-at-b', [ed2])], [x1, x2]);
    assert.equal(ring.platformKey(ed2.kid)?.platform.platformId, 'B');
    assert.equal(ring.platformKey(ed1.kid)?.key.alg, ALG.EdDSA);
    assert.equal(ring.merchantKey(x2.kid)?.privateKey, x2.pair.privateKey);
    assert.equal(ring.merchantKey(ed1.kid), undefined);
    assert.equal(ring.platformKey(x1.kid), undefined);
    assert.equal(ring.platforms.length, 2);
    assert.equal(ring.merchantKeys.length, 2);
  });

  it('refuses a signing kid bound to two platforms', () => {
    assert.throws(
      () => keyring([platformTrust('A', 'm', [ed1]), platformTrust('B', 'm', [ed1])], []),
      isKeyError('KID_ON_TWO_PLATFORMS'),
    );
  });

  it('refuses a platform listed twice and a key listed twice', () => {
    assert.throws(() => keyring([platformTrust('A', 'm', [ed1]), platformTrust('A', 'n', [ed2])], []), isKeyError('DUPLICATE_PLATFORM'));
    assert.throws(() => keyring([platformTrust('A', 'm', [ed1, ed1])], []), isKeyError('DUPLICATE_KID'));
    assert.throws(() => keyring([], [x1, x1]), isKeyError('DUPLICATE_KID'));
  });

  it('refuses a kid that does not match its key', () => {
    const wrong = { ...ed1, kid: ed2.kid };
    assert.throws(() => keyring([platformTrust('A', 'm', [wrong])], []), isKeyError('KID_MISMATCH'));
    const wrongMerchant = { ...x1, kid: x2.kid };
    assert.throws(() => keyring([], [wrongMerchant]), isKeyError('KID_MISMATCH'));
  });

  it('refuses a signing key whose alg does not fit it, and a merchant key of the wrong kind', () => {
    const trust = platformTrust('A', 'm', [ed1]);
    trust.keys[0]!.alg = ALG.PS256;
    assert.throws(() => keyring([trust], []), isKeyError('ALG_MISMATCH'));
    assert.throws(
      () => new Keyring({ platforms: [], merchantKeys: [{ kid: x1.kid, kind: 'rsa', privateKey: x1.pair.privateKey }] }),
      isKeyError('ALG_MISMATCH'),
    );
    // an X25519 key cannot sign
    assert.throws(() => keyring([platformTrust('A', 'm', [x1])], []), isKeyError('ALG_MISMATCH'));
  });
});
