/** Properties (fast-check): what is signed verifies; any change to it does not; no input throws. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  REQUEST_SIGNATURE_CODES,
  RESPONSE_SIGNATURE_CODES,
  requestSignatureOf,
  signRequest,
  signResponse,
  verifyRequest,
  verifyResponse,
  type HttpRequestParts,
} from '../../protocol/http-signature.js';
import { edKey, lookupOf } from './helpers.js';

const NOW = 1_800_000_000;
const token = fc.stringMatching(/^[A-Z]{1,8}$/);
const pathSegment = fc.stringMatching(/^[A-Za-z0-9%._~-]{0,12}$/);
const request: fc.Arbitrary<HttpRequestParts> = fc.record({
  method: token,
  path: fc.array(pathSegment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
  query: fc.stringMatching(/^[A-Za-z0-9=&%._~-]{0,20}$/),
  headers: fc.constant({ 'content-type': 'application/json' }),
  body: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: undefined }),
});

describe('protocol/http-signature: properties', () => {
  const terminal = edKey();
  const platform = edKey();
  const lookup = lookupOf(terminal);

  function sign(req: HttpRequestParts): HttpRequestParts {
    return { ...req, headers: { ...req.headers, ...signRequest(req, terminal, { created: NOW }) } };
  }

  it('every signed request verifies', () => {
    fc.assert(fc.property(request, (req) => assert.equal(verifyRequest(sign(req), lookup, { nowS: NOW }).ok, true)));
  });

  it('a changed method, path, query or body never verifies', () => {
    const change = fc.constantFrom('method', 'path', 'query', 'body');
    fc.assert(
      fc.property(request, change, fc.nat(), (req, what, n) => {
        const s = sign(req);
        let changed: HttpRequestParts;
        if (what === 'body') {
          const body = new Uint8Array(s.body ?? [0]);
          if (s.body === undefined || body.length === 0) changed = { ...s, body: new Uint8Array([n & 0xff]) };
          else {
            body[n % body.length]! ^= 1 << n % 8;
            changed = { ...s, body };
          }
        } else changed = { ...s, [what]: `${s[what]}x` };
        assert.equal(verifyRequest(changed, lookup, { nowS: NOW }).ok, false);
      }),
    );
  });

  it('arbitrary Signature and Signature-Input values never throw and give a listed code', () => {
    const field = fc.oneof(fc.string({ maxLength: 80 }), fc.constant('kiosk=:AAAA:'), fc.constant('kiosk=("@method");keyid="0123456789abcdef"'));
    fc.assert(
      fc.property(request, field, field, (req, input, signature) => {
        const verdict = verifyRequest({ ...req, headers: { ...req.headers, 'signature-input': input, signature } }, lookup, { nowS: NOW });
        assert.ok(!verdict.ok && (REQUEST_SIGNATURE_CODES as readonly string[]).includes(verdict.code));
        const answer = verifyResponse({ status: 200, headers: { 'signature-input': input, signature }, body: undefined }, new Uint8Array(64), lookupOf(platform));
        assert.ok(!answer.ok && (RESPONSE_SIGNATURE_CODES as readonly string[]).includes(answer.code));
      }),
    );
  });

  it('every signed answer verifies for its request only, and a changed body or status never does', () => {
    const answer = fc.record({ status: fc.integer({ min: 100, max: 599 }), body: fc.uint8Array({ maxLength: 200 }) });
    fc.assert(
      fc.property(request, request, answer, ({ ...req }, other, { status, body }) => {
        const reqSig = requestSignatureOf(sign(req).headers)!;
        const otherSig = requestSignatureOf(sign(other).headers)!;
        const res = { status, headers: { 'content-type': 'application/json' }, body };
        const signed = { ...res, headers: { ...res.headers, ...signResponse(res, reqSig, [platform], { created: NOW }) } };
        assert.equal(verifyResponse(signed, reqSig, lookupOf(platform)).ok, true);
        assert.equal(verifyResponse(signed, otherSig, lookupOf(platform)).ok, false);
        assert.equal(verifyResponse({ ...signed, status: status + 1 }, reqSig, lookupOf(platform)).ok, false);
        assert.equal(verifyResponse({ ...signed, body: new Uint8Array([...body, 0]) }, reqSig, lookupOf(platform)).ok, false);
      }),
    );
  });
});
