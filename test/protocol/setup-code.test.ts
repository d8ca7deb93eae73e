import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { SETUP_CODE_CODES, formatSetupCode, parseSetupCode, spkiPin, type SetupCode, type SetupCodeResult } from '../../protocol/setup-code.js';

const CERT = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/protocol/fixtures/platform-test-cert.pem'), 'utf8');
/** From the shell, the RFC 7469 §2.4 recipe: openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64 */
const CERT_PIN = 'sha256/IQUZReXNH2urS2hDgvZtEnwMnK2QSNVHlPE152/SIyA=';

const sample: SetupCode = {
  handshake_version: 1,
  url: 'https://platform.example/coupons',
  token: 'Wq3v0hTj8sYkUc2Z5nR1xA-Lp9eGm7Db',
  platform_kid: '0123456789abcdef',
};

const code = (r: SetupCodeResult) => (r.ok ? 'OK' : r.code);

describe('protocol/setup-code', () => {
  it('formats the versioned JSON and parses it back, with and without a TLS pin', () => {
    const text = formatSetupCode(sample);
    assert.equal(text, '{"handshake_version":1,"url":"https://platform.example/coupons","token":"Wq3v0hTj8sYkUc2Z5nR1xA-Lp9eGm7Db","platform_kid":"0123456789abcdef"}');
    assert.deepEqual(parseSetupCode(text), { ok: true, setup: sample });
    const pinned = { ...sample, tls_pin: CERT_PIN };
    assert.deepEqual(parseSetupCode(`  ${formatSetupCode(pinned)}\r\n`), { ok: true, setup: pinned });
  });

  it('accepts http on loopback only (tests), https anywhere', () => {
    for (const url of ['http://127.0.0.1:8080', 'http://localhost:3000/', 'http://[::1]:9000']) assert.equal(code(parseSetupCode(JSON.stringify({ ...sample, url }))), 'OK', url);
    for (const url of ['http://platform.example', 'ftp://platform.example', 'https://user:pw@platform.example', 'https://platform.example/?a=1', 'https://platform.example/#x', 'not a url']) {
      const r = parseSetupCode(JSON.stringify({ ...sample, url }));
      assert.ok(!r.ok && r.code === 'INVALID_SETUP_CODE' && r.message.startsWith('setup code: url:'), url);
    }
  });

  it('names the field that is wrong', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...sample, token: 'short' }, /token/],
      [{ ...sample, platform_kid: '0123456789ABCDEF' }, /platform_kid/],
      [{ ...sample, tls_pin: 'sha1/abc' }, /tls_pin/],
      [{ ...sample, extra: true }, /unexpected field 'extra'/],
      [{ handshake_version: 1, url: sample.url, token: sample.token }, /missing field 'platform_kid'/],
      [{ url: sample.url }, /missing field 'handshake_version'/],
    ];
    for (const [value, message] of cases) {
      const r = parseSetupCode(JSON.stringify(value));
      assert.ok(!r.ok && r.code === 'INVALID_SETUP_CODE', JSON.stringify(r));
      assert.match(r.message, message);
    }
  });

  it('refuses other handshake versions by name', () => {
    for (const version of [0, 2, '1']) {
      const r = parseSetupCode(JSON.stringify({ ...sample, handshake_version: version }));
      assert.ok(!r.ok && r.code === 'UNSUPPORTED_VERSION' && r.message.includes(JSON.stringify(version)));
    }
  });

  it('refuses what is not a setup code, never throwing', () => {
    for (const text of ['', 'https://platform.example', '[1]', 'null', '"x"', 'x'.repeat(3000)]) assert.equal(code(parseSetupCode(text)), 'INVALID_SETUP_CODE', text.slice(0, 20));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = parseSetupCode(text);
        assert.ok(r.ok || (SETUP_CODE_CODES as readonly string[]).includes(r.code));
      }),
    );
  });

  it('formatSetupCode refuses what parseSetupCode would refuse', () => {
    assert.throws(() => formatSetupCode({ ...sample, url: 'http://platform.example' }), /https/);
  });

  it('spkiPin: SHA-256 over the SPKI DER, from PEM or DER, as openssl computes it', () => {
    assert.equal(spkiPin(CERT), CERT_PIN);
    const der = Buffer.from(CERT.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    assert.equal(spkiPin(new Uint8Array(der)), CERT_PIN);
    assert.throws(() => spkiPin('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), /not an X.509 certificate/);
  });
});
