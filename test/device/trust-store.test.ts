import assert from 'node:assert/strict';
import { ConfigError } from '../../device/config.js';
import { parseTrustJson } from '../../device/trust-store.js';

describe('device/trust-store (trust.json schema)', () => {
  it('an empty object is an empty trust store; the result may be edited (provisioning adds to it)', () => {
    const t = parseTrustJson({});
    assert.equal(t.platforms.length, 0);
    t.platforms.push({ id: 'p', merchantId: 'm', keys: [] });
    assert.equal(parseTrustJson({}).platforms.length, 0, 'defaults are not shared between results');
  });

  it('reports every problem at once, with indexed paths, unknown keys included', () => {
    let error: unknown;
    try {
      parseTrustJson({ platforms: [{ id: 'p', merchantId: 'm', keys: [] }, { id: ' ', keys: [{ kid: 'ABCD', alg: 5, publicKey: 'x', notAfter: -1, colour: 1 }] }], version: 2 });
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /^trust\.json: /);
    const got = error.issues.map((i) => `${i.path}: ${i.message}`).sort();
    assert.deepEqual(got, [
      'platforms[1].id: must be a non-empty string',
      'platforms[1].keys[0].alg: must be one of -8, -37',
      'platforms[1].keys[0].colour: unknown key (known: kid, alg, publicKey, notBefore, notAfter)',
      'platforms[1].keys[0].kid: must be 16 lowercase hex digits',
      'platforms[1].keys[0].notAfter: must be an integer from 0 to 1099511627776',
      'platforms[1].merchantId: is required',
      'version: unknown key (known: platforms)',
    ]);
  });
});
