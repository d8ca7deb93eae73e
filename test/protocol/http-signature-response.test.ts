import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { createVerifier, httpbis } from 'http-message-signatures';
import { KeyError } from '../../coupon/keys.js';
import { ALG } from '../../coupon/types.js';
import { contentDigest } from '../../protocol/content-digest.js';
import {
  RESPONSE_SIGNATURE_CODES,
  requestSignatureOf,
  signRequest,
  signResponse,
  verifyResponse,
  type HttpResponseParts,
  type PublicKeyLookup,
  type ResponseVerdict,
} from '../../protocol/http-signature.js';
import { edKey, lookupOf, postRequest, rsaKey, utf8, type TestKey } from './helpers.js';

const NOW = 1_800_000_000;

describe('protocol/http-signature: platform answers', () => {
  const terminal = edKey();
  const platformEd = edKey();
  const platformRsa = rsaKey();
  const trusted = lookupOf(platformEd, platformRsa);
  const request = postRequest();
  const requestHeaders = signRequest(request, terminal, { created: NOW });
  const requestSignature = requestSignatureOf(requestHeaders)!;

  function answer(status = 200, body = `{"time":${NOW * 1000}}`): HttpResponseParts {
    return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: utf8(body) };
  }

  function signed(res = answer(), signers: TestKey[] = [platformEd, platformRsa], boundTo = requestSignature): HttpResponseParts {
    return { ...res, headers: { ...res.headers, ...signResponse(res, boundTo, signers, { created: NOW }) } };
  }

  function verify(res: HttpResponseParts, lookup: PublicKeyLookup = trusted, boundTo = requestSignature): ResponseVerdict {
    const verdict = verifyResponse(res, boundTo, lookup);
    assert.ok(verdict.ok || (RESPONSE_SIGNATURE_CODES as readonly string[]).includes(verdict.code));
    return verdict;
  }

  const code = (v: ResponseVerdict) => (v.ok ? 'OK' : v.code);

  it('one signature per key, labelled p-<kid>, with the docs/protocol.md components and parameters', () => {
    const headers = signResponse(answer(), requestSignature, [platformEd, platformRsa], { created: NOW });
    const covered = '("@status" "content-digest" "content-type" "signature";req;key="kiosk")';
    assert.equal(
      headers['signature-input'],
      `p-${platformEd.kid}=${covered};created=${NOW};keyid="${platformEd.kid}";alg="ed25519";tag="coupon-platform/1", ` +
        `p-${platformRsa.kid}=${covered};created=${NOW};keyid="${platformRsa.kid}";alg="rsa-pss-sha512";tag="coupon-platform/1"`,
    );
    assert.match(headers['content-digest'], /^sha-256=:/);
  });

  it('verifies, reporting every key that signed', () => {
    const verdict = verify(signed());
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.signedBy, [platformEd.kid, platformRsa.kid]);
    assert.deepEqual(verdict.ignored, []);
  });

  it('error answers and empty bodies are signed alike', () => {
    assert.equal(code(verify(signed(answer(401, '{"code":"STALE_REQUEST"}')))), 'OK');
    assert.equal(code(verify(signed({ status: 204, headers: { 'content-type': 'application/json' }, body: undefined }))), 'OK');
  });

  it('is verified by an independent RFC 9421 implementation, request binding included', async () => {
    const res = signed(answer(), [platformEd]);
    const verifier = createVerifier(createPublicKey(platformEd.privateKey), 'ed25519');
    const config = { keyLookup: async () => ({ id: platformEd.kid, algs: ['ed25519'], verify: verifier }), notAfter: NOW };
    const req = { method: request.method, url: `https://platform.example${request.path}?${request.query}`, headers: { ...request.headers, ...requestHeaders } as Record<string, string> };
    const message = { status: res.status, headers: res.headers as Record<string, string> };
    assert.equal(await httpbis.verifyMessage(config, message, req), true);
    assert.equal(await httpbis.verifyMessage(config, { ...message, status: 500 }, req), false);
  });

  it('a response replayed against another request does not verify', () => {
    const otherRequest = requestSignatureOf(signRequest(postRequest('{"serial":"OTHER"}'), terminal, { created: NOW }))!;
    const verdict = verify(signed(), trusted, otherRequest);
    assert.equal(code(verdict), 'SIGNATURE_INVALID');
  });

  describe('tampering', () => {
    const cases: [string, (r: HttpResponseParts) => HttpResponseParts, string][] = [
      ['@status', (r) => ({ ...r, status: 403 }), 'SIGNATURE_INVALID'],
      ['content-type', (r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } }), 'SIGNATURE_INVALID'],
      ['body', (r) => ({ ...r, body: utf8(`{"time":${NOW * 1000 - 1}}`) }), 'DIGEST_MISMATCH'],
      ['body and digest', (r) => ({ ...r, body: utf8('{}'), headers: { ...r.headers, 'content-digest': contentDigest(utf8('{}')) } }), 'SIGNATURE_INVALID'],
      ['no digest', (r) => ({ ...r, headers: { ...r.headers, 'content-digest': undefined } }), 'SIGNATURE_MISSING'],
      ['no signatures', (r) => ({ ...r, headers: { 'content-type': 'application/json' } }), 'SIGNATURE_MISSING'],
      ['garbage signature field', (r) => ({ ...r, headers: { ...r.headers, signature: '((' } }), 'SIGNATURE_INVALID'],
    ];
    for (const [what, change, expected] of cases) {
      it(`${what} → ${expected}`, () => assert.equal(code(verify(change(signed()))), expected));
    }

    it('a relabelled signature (p-<other kid>) does not count', () => {
      const res = signed(answer(), [platformEd]);
      const swap = (v: string) => v.replaceAll(`p-${platformEd.kid}`, `p-${platformRsa.kid}`);
      const relabelled = { ...res, headers: { ...res.headers, signature: swap(res.headers.signature as string), 'signature-input': swap(res.headers['signature-input'] as string) } };
      assert.equal(code(verify(relabelled)), 'SIGNATURE_INVALID');
    });
  });

  it('one good and one bad signature: verified by the good one, the bad one reported', () => {
    const res = signed();
    const sigs = (res.headers.signature as string).split(', ');
    const broken = sigs[1]!.replace(/=:(.)/, (_m, c: string) => `=:${c === 'A' ? 'B' : 'A'}`);
    const verdict = verify({ ...res, headers: { ...res.headers, signature: `${sigs[0]}, ${broken}` } });
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.signedBy, [platformEd.kid]);
    assert.equal(verdict.ignored.length, 1);
    assert.equal(verdict.ignored[0]!.kid, platformRsa.kid);
  });

  it('keys the kiosk does not trust are ignored; none trusted: UNTRUSTED_SIGNER', () => {
    const partly = verify(signed(), lookupOf(platformRsa));
    assert.ok(partly.ok);
    assert.deepEqual(partly.signedBy, [platformRsa.kid]);
    assert.deepEqual(partly.ignored, [{ kid: platformEd.kid, reason: 'not a trusted platform key' }]);
    const none = verify(signed(), () => undefined);
    assert.equal(code(none), 'UNTRUSTED_SIGNER');
    assert.ok(!none.ok && none.message.includes(platformEd.kid));
  });

  it('a trusted kid whose key is another one: SIGNATURE_INVALID', () => {
    const impostor = edKey();
    const forged = signed(answer(), [{ ...impostor, kid: platformEd.kid }]);
    assert.equal(code(verify(forged)), 'SIGNATURE_INVALID');
  });

  it('refuses to sign without keys, with a key that does not fit its alg, or without a Content-Type', () => {
    assert.throws(() => signResponse(answer(), requestSignature, [], { created: NOW }), /at least one/);
    assert.throws(() => signResponse(answer(), requestSignature, [{ ...platformEd, alg: ALG.PS256 }], { created: NOW }), KeyError);
    assert.throws(() => signResponse({ ...answer(), headers: {} }, requestSignature, [platformEd], { created: NOW }), /Content-Type/);
  });
});
