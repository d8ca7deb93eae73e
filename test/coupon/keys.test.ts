import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  KeyError,
  generateKeyPair,
  kidOf,
  kindOf,
  merchantKeyFrom,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyFromPem,
  publicKeyToPem,
  signAlgOf,
} from '../../coupon/keys.js';
import { ALG } from '../../coupon/types.js';
import { fromHex, toHex } from './helpers.js';
import { rsaPair } from './fixtures.js';

const isKeyError = (code: string) => (e: unknown) => e instanceof KeyError && e.code === code;

describe('coupon/keys', () => {
  it('signAlgOf: Ed25519 → EdDSA, RSA → PS256; an X25519 key cannot sign coupons', () => {
    assert.equal(signAlgOf(generateKeyPair('ed25519').publicKey), ALG.EdDSA);
    assert.equal(signAlgOf(rsaPair().privateKey), ALG.PS256);
    assert.throws(() => signAlgOf(generateKeyPair('x25519').publicKey), isKeyError('UNSUPPORTED_KEY_TYPE'));
  });

  it('merchantKeyFrom: X25519 or RSA private keys with their kid; not Ed25519, not a public key', () => {
    const x = generateKeyPair('x25519');
    const m = merchantKeyFrom(x.privateKey);
    assert.equal(m.kind, 'x25519');
    assert.equal(toHex(m.kid), toHex(kidOf(x.publicKey)));
    assert.equal(merchantKeyFrom(rsaPair().privateKey).kind, 'rsa');
    assert.throws(() => merchantKeyFrom(generateKeyPair('ed25519').privateKey), isKeyError('UNSUPPORTED_KEY_TYPE'));
    assert.throws(() => merchantKeyFrom(x.publicKey), isKeyError('UNSUPPORTED_KEY_TYPE'));
  });

  it('computes an Ed25519 kid over the 32 raw bytes (RFC 8032 §7.1 test 1 key)', () => {
    const raw = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.concat([fromHex('302a300506032b6570032100'), raw]).toString('base64')}\n-----END PUBLIC KEY-----\n`;
    const expected = createHash('sha256').update(raw).digest().subarray(0, 8);
    assert.equal(toHex(kidOf(publicKeyFromPem(pem))), toHex(expected));
  });

  it('computes an X25519 kid over the 32 raw bytes (RFC 7748 §6.1 Alice)', () => {
    const raw = fromHex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    const der = Buffer.concat([fromHex('302a300506032b656e032100'), raw]);
    const pem = `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`;
    assert.equal(toHex(kidOf(publicKeyFromPem(pem))), createHash('sha256').update(raw).digest('hex').slice(0, 16));
  });

  it('computes an RSA kid over the DER SubjectPublicKeyInfo', () => {
    const { publicKey } = rsaPair();
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(toHex(kidOf(publicKey)), createHash('sha256').update(spki).digest('hex').slice(0, 16));
  });

  it('gives a private key the kid of its public half', () => {
    const pair = generateKeyPair('x25519');
    assert.deepEqual(kidOf(pair.privateKey), kidOf(pair.publicKey));
  });

  for (const kind of ['ed25519', 'x25519'] as const) {
    it(`round-trips ${kind} keys through PKCS#8 and SPKI PEM`, () => {
      const pair = generateKeyPair(kind);
      const priv = privateKeyFromPem(privateKeyToPem(pair.privateKey));
      assert.match(privateKeyToPem(pair.privateKey), /^-----BEGIN PRIVATE KEY-----/);
      assert.match(publicKeyToPem(pair.publicKey), /^-----BEGIN PUBLIC KEY-----/);
      assert.equal(kindOf(priv), kind);
      assert.deepEqual(kidOf(publicKeyFromPem(publicKeyToPem(pair.publicKey))), kidOf(pair.publicKey));
      // a PKCS#8 private key PEM also yields its public key
      assert.deepEqual(kidOf(publicKeyFromPem(privateKeyToPem(pair.privateKey))), kidOf(pair.publicKey));
    });
  }

  it('refuses RSA below 2048 bits, generated or imported', () => {
    assert.throws(() => generateKeyPair('rsa', 1024), isKeyError('RSA_TOO_SMALL'));
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.throws(() => privateKeyFromPem(privateKeyToPem(small.privateKey)), /1024 bits is too small/);
    assert.throws(() => publicKeyFromPem(publicKeyToPem(small.publicKey)), isKeyError('RSA_TOO_SMALL'));
  });

  it('refuses key types the format does not use', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(() => kindOf(ec.publicKey), isKeyError('UNSUPPORTED_KEY_TYPE'));
    assert.throws(() => publicKeyFromPem(publicKeyToPem(ec.publicKey)), isKeyError('UNSUPPORTED_KEY_TYPE'));
  });

  it('reports unreadable PEM with a code', () => {
    assert.throws(() => privateKeyFromPem('not a pem'), isKeyError('BAD_PEM'));
    assert.throws(() => publicKeyFromPem(''), isKeyError('BAD_PEM'));
  });
});
