import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { generateKeyPair } from '../../coupon/keys.js';
import { checkContentDigest, contentDigest } from '../../protocol/content-digest.js';
import {
  ComponentError,
  componentValue,
  headerValue,
  httpAlgOf,
  labelled,
  parseSignatureFields,
  signBase,
  signatureBase,
  splitTarget,
  verifyBase,
  type HttpRequestParts,
  type HttpSigAlg,
} from '../../protocol/http-message.js';
import { rsaPair } from '../coupon/fixtures.js';
import { B21, B23, B26, TEST_KEY_ED25519, TEST_KEY_ED25519_PUBLIC, TEST_KEY_RSA_PSS, TEST_REQUEST_BODY, TEST_REQUEST_HEADERS } from './rfc9421-vectors.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

function testRequest(input: string, signature: string): HttpRequestParts {
  return {
    method: 'POST',
    path: '/foo',
    query: 'param=Value&Pet=dog',
    headers: { ...TEST_REQUEST_HEADERS, 'Signature-Input': input, Signature: signature },
    body: utf8(TEST_REQUEST_BODY),
  };
}

function vector(input: string, signature: string, label: string) {
  const req = testRequest(input, signature);
  const fields = parseSignatureFields(req.headers);
  assert.ok(fields.ok);
  const found = labelled(fields, label);
  assert.ok(found.ok, found.ok ? '' : found.message);
  return { req, sig: found.sig, base: signatureBase(found.sig.input, req) };
}

describe('protocol/http-message: RFC 9421 Appendix B', () => {
  const edPrivate = createPrivateKey(TEST_KEY_ED25519);
  const edPublic = createPublicKey(TEST_KEY_ED25519_PUBLIC);
  const pssPublic = createPublicKey(createPrivateKey(TEST_KEY_RSA_PSS));

  it('B.2.6 (ed25519): the signature base is the RFC text', () => {
    assert.equal(vector(B26.input, B26.signature, 'sig-b26').base, B26.base);
  });

  it('B.2.6 (ed25519): signing reproduces the RFC signature byte for byte, and it verifies', () => {
    const { sig, base } = vector(B26.input, B26.signature, 'sig-b26');
    assert.deepEqual(Buffer.from(signBase('ed25519', edPrivate, base)), Buffer.from(sig.value));
    assert.equal(verifyBase('ed25519', edPublic, base, sig.value), true);
  });

  it('B.2.3 (rsa-pss-sha512, full coverage with @query and content-digest) verifies', () => {
    const { sig, base } = vector(B23.input, B23.signature, 'sig-b23');
    assert.equal(verifyBase('rsa-pss-sha512', pssPublic, base, sig.value), true);
  });

  it('B.2.1 (rsa-pss-sha512, no components, with a nonce) verifies', () => {
    const { sig, base } = vector(B21.input, B21.signature, 'sig-b21');
    assert.equal(base, '"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"');
    assert.equal(verifyBase('rsa-pss-sha512', pssPublic, base, sig.value), true);
  });

  it('the vectors fail once any covered value changes', () => {
    const { sig, req } = vector(B23.input, B23.signature, 'sig-b23');
    for (const changed of [
      { ...req, method: 'PUT' },
      { ...req, path: '/fooo' },
      { ...req, query: 'param=Value&Pet=cat' },
      { ...req, headers: { ...req.headers, Date: 'Tue, 20 Apr 2021 02:07:56 GMT' } },
    ]) {
      assert.equal(verifyBase('rsa-pss-sha512', pssPublic, signatureBase(sig.input, changed), sig.value), false);
    }
  });

  it('verifyBase refuses a key of another algorithm and never throws on garbage', () => {
    const { sig, base } = vector(B26.input, B26.signature, 'sig-b26');
    assert.equal(verifyBase('rsa-pss-sha512', edPublic, base, sig.value), false);
    assert.equal(verifyBase('ed25519', pssPublic, base, sig.value), false);
    assert.equal(verifyBase('ed25519', edPublic, base, new Uint8Array(3)), false);
  });

  it('httpAlgOf: ed25519, RSA and RSA-PSS ≥ 2048 bits; nothing else', () => {
    assert.equal(httpAlgOf(edPublic), 'ed25519');
    assert.equal(httpAlgOf(pssPublic), 'rsa-pss-sha512');
    assert.equal(httpAlgOf(rsaPair().publicKey), 'rsa-pss-sha512');
    assert.equal(httpAlgOf(generateKeyPair('x25519').publicKey), undefined);
    assert.equal(httpAlgOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey), undefined);
  });

  it('signs and verifies rsa-pss-sha512 with a plain RSA key', () => {
    const { publicKey, privateKey } = rsaPair();
    const alg: HttpSigAlg = 'rsa-pss-sha512';
    const sig = signBase(alg, privateKey, 'base');
    assert.equal(sig.length, 256);
    assert.equal(verifyBase(alg, publicKey, 'base', sig), true);
    assert.equal(verifyBase(alg, publicKey, 'basf', sig), false);
  });
});

describe('protocol/http-message: components', () => {
  const req: HttpRequestParts = { method: 'GET', path: '', query: '', headers: { 'X-A': ['  one ', 'two'], 'x-b': 'a\r\n  b' }, body: undefined };

  it('an empty path is "/" and an absent query is "?" (§2.2.6, §2.2.7)', () => {
    assert.equal(componentValue(['@path', new Map()], req), '/');
    assert.equal(componentValue(['@query', new Map()], req), '?');
  });

  it('header lines of any case are trimmed and joined; obsolete folding becomes a space (§2.1)', () => {
    assert.equal(headerValue(req.headers, 'x-a'), 'one, two');
    assert.equal(headerValue(req.headers, 'X-B'), 'a b');
    assert.equal(headerValue(req.headers, 'x-c'), undefined);
  });

  it('refuses what cannot be derived, with a ComponentError naming it', () => {
    const cases: [string, Map<string, string | boolean>][] = [
      ['@status', new Map()],
      ['x-missing', new Map()],
      ['@target-uri', new Map()],
      ['X-A', new Map()],
      ['x-a', new Map([['bs', true]])],
      ['x-a', new Map([['req', true]])],
      ['x-a', new Map([['key', 'k']])],
    ];
    for (const [name, params] of cases) assert.throws(() => componentValue([name, params], req), ComponentError, name);
  });

  it('a component covered twice is refused (§2.5)', () => {
    assert.throws(() => signatureBase([[['@method', new Map()], ['@method', new Map()]], new Map()], req), /covered twice/);
  });

  it('splitTarget splits at the first "?"', () => {
    assert.deepEqual(splitTarget('/v1/a?b=c?d'), { path: '/v1/a', query: 'b=c?d' });
    assert.deepEqual(splitTarget('/v1/a'), { path: '/v1/a', query: '' });
  });
});

describe('protocol/content-digest (RFC 9530)', () => {
  const hello = utf8('{"hello": "world"}');

  it('sha-256 of the RFC 9421 B.2 test content', () => {
    assert.equal(contentDigest(hello), 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
  });

  it('accepts the sha-512 digests of RFC 9421 B.2 and RFC 9530 §2', () => {
    assert.deepEqual(checkContentDigest(TEST_REQUEST_HEADERS['Content-Digest'], hello), { ok: true });
    const rfc9530 = 'sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:';
    assert.deepEqual(checkContentDigest(rfc9530, utf8('{"hello": "world"}\n')), { ok: true });
  });

  it('checks every known digest and ignores unknown ones', () => {
    const both = `${contentDigest(hello)}, ${TEST_REQUEST_HEADERS['Content-Digest']}, md5=:AAAA:`;
    assert.deepEqual(checkContentDigest(both, hello), { ok: true });
    const oneWrong = `${contentDigest(utf8('other'))}, ${TEST_REQUEST_HEADERS['Content-Digest']}`;
    assert.equal(checkContentDigest(oneWrong, hello).ok, false);
  });

  it('gives a distinct code for malformed, unsupported and mismatching digests', () => {
    const code = (value: string) => {
      const r = checkContentDigest(value, hello);
      return r.ok ? 'ok' : r.code;
    };
    assert.equal(code('sha-256=:AAAA:'), 'DIGEST_MALFORMED');
    assert.equal(code('sha-256="text"'), 'DIGEST_MALFORMED');
    assert.equal(code('not a dictionary ('), 'DIGEST_MALFORMED');
    assert.equal(code('md5=:AAAA:'), 'DIGEST_UNSUPPORTED');
    assert.equal(code(''), 'DIGEST_UNSUPPORTED');
    assert.equal(code(contentDigest(utf8('{"hello": "world!"}'))), 'DIGEST_MISMATCH');
  });
});
