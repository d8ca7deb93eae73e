import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { httpbis, createVerifier } from 'http-message-signatures';
import { parseDictionary, serializeDictionary, type InnerList } from 'structured-headers';
import {
  REQUEST_SIGNATURE_CODES,
  requestKeyId,
  requestSignatureOf,
  signRequest,
  verifyRequest,
  type HttpRequestParts,
  type PublicKeyLookup,
  type RequestVerdict,
} from '../../protocol/http-signature.js';
import { edKey, getRequest, lookupOf, postRequest, rsaKey, utf8 } from './helpers.js';

const NOW = 1_800_000_000;
const NONCE = 'AAECAwQFBgcICQoLDA0ODw';

describe('protocol/http-signature: terminal requests', () => {
  const terminal = edKey();
  const lookup = lookupOf(terminal);

  function signed(req: HttpRequestParts = postRequest(), created = NOW): HttpRequestParts {
    return { ...req, headers: { ...req.headers, ...signRequest(req, terminal, { created, nonce: NONCE }) } };
  }

  function verify(req: HttpRequestParts, nowS = NOW, keys: PublicKeyLookup = lookup): RequestVerdict {
    const verdict = verifyRequest(req, keys, { nowS, maxSkewS: 300 });
    assert.ok(verdict.ok || (REQUEST_SIGNATURE_CODES as readonly string[]).includes(verdict.code));
    return verdict;
  }

  function code(req: HttpRequestParts, nowS = NOW): string {
    const verdict = verify(req, nowS);
    return verdict.ok ? 'OK' : verdict.code;
  }

  /** The signed request with its Signature-Input member rewritten (the signature itself unchanged). */
  function withInput(req: HttpRequestParts, change: (input: InnerList) => InnerList): HttpRequestParts {
    const dict = parseDictionary(req.headers['signature-input'] as string);
    dict.set('kiosk', change(dict.get('kiosk') as InnerList));
    return { ...req, headers: { ...req.headers, 'signature-input': serializeDictionary(dict) } };
  }

  it('writes the Signature-Input of docs/protocol.md, with Content-Digest for a body', () => {
    const headers = signRequest(postRequest(), terminal, { created: NOW, nonce: NONCE });
    assert.equal(headers['content-digest'], `sha-256=:${createHash('sha256').update('{"serial":"7Q2K"}').digest('base64')}:`);
    assert.equal(
      headers['signature-input'],
      `kiosk=("@method" "@path" "@query" "content-digest" "content-type");created=${NOW};nonce="${NONCE}";keyid="${terminal.kid}";alg="ed25519";tag="coupon-kiosk/1"`,
    );
    assert.match(headers.signature, /^kiosk=:[A-Za-z0-9+/]{86}==:$/);
  });

  it('covers no body components and sends no Content-Digest without a body', () => {
    const headers = signRequest(getRequest(), terminal, { created: NOW });
    assert.equal(headers['content-digest'], undefined);
    assert.match(headers['signature-input'], /^kiosk=\("@method" "@path" "@query"\);created=\d+;nonce="[A-Za-z0-9_-]{22}";keyid="[0-9a-f]{16}";alg="ed25519";tag="coupon-kiosk\/1"$/);
  });

  it('verifies and returns kid, created, nonce and the signature value', () => {
    const req = signed();
    const verdict = verify(req);
    assert.ok(verdict.ok);
    assert.equal(verdict.kid, terminal.kid);
    assert.equal(verdict.created, NOW);
    assert.equal(verdict.nonce, NONCE);
    assert.deepEqual(verdict.signatureValue, requestSignatureOf(req.headers));
    assert.equal(requestKeyId(req.headers), terminal.kid);
    assert.equal(code(signed(getRequest())), 'OK');
  });

  it('makes a fresh 16-byte nonce per request when none is given', () => {
    const a = signRequest(getRequest(), terminal, { created: NOW })['signature-input'];
    const b = signRequest(getRequest(), terminal, { created: NOW })['signature-input'];
    assert.notEqual(a, b);
  });

  it('is verified by an independent RFC 9421 implementation (http-message-signatures)', async () => {
    const req = signed();
    const verifier = createVerifier(createPublicKey(terminal.privateKey), 'ed25519');
    const config = { keyLookup: async ({ keyid }: { keyid?: string }) => (keyid === terminal.kid ? { id: terminal.kid, algs: ['ed25519'], verify: verifier } : null), notAfter: NOW };
    const message = { method: req.method, url: `https://platform.example${req.path}?${req.query}`, headers: req.headers as Record<string, string> };
    assert.equal(await httpbis.verifyMessage(config, message), true);
    assert.equal(await httpbis.verifyMessage(config, { ...message, url: 'https://platform.example/v1/other?batch=1' }), false);
  });

  describe('tampering with each covered component', () => {
    const cases: [string, (r: HttpRequestParts) => HttpRequestParts, string][] = [
      ['@method', (r) => ({ ...r, method: 'PUT' }), 'SIGNATURE_INVALID'],
      ['@method case', (r) => ({ ...r, method: 'post' }), 'SIGNATURE_INVALID'],
      ['@path', (r) => ({ ...r, path: '/v1/terminal/claims' }), 'SIGNATURE_INVALID'],
      ['@query', (r) => ({ ...r, query: 'batch=2' }), 'SIGNATURE_INVALID'],
      ['@query dropped', (r) => ({ ...r, query: '' }), 'SIGNATURE_INVALID'],
      ['content-type', (r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } }), 'SIGNATURE_INVALID'],
      ['content-digest', (r) => ({ ...r, headers: { ...r.headers, 'content-digest': 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' } }), 'SIGNATURE_INVALID'],
      ['body', (r) => ({ ...r, body: utf8('{"serial":"7Q2L"}') }), 'DIGEST_MISMATCH'],
      ['body removed', (r) => ({ ...r, body: undefined }), 'DIGEST_MISMATCH'],
      ['signature bytes', (r) => ({ ...r, headers: { ...r.headers, signature: (r.headers.signature as string).replace(/^kiosk=:(.)/, (_m, c: string) => `kiosk=:${c === 'A' ? 'B' : 'A'}`) } }), 'SIGNATURE_INVALID'],
    ];
    for (const [what, change, expected] of cases) {
      it(`${what} → ${expected}`, () => {
        const req = signed();
        assert.equal(code(req), 'OK');
        assert.equal(code(change(req)), expected);
      });
    }

    it('each signed parameter', () => {
      const req = signed();
      const params: [string, string | number][] = [
        ['created', NOW + 1],
        ['nonce', 'BAECAwQFBgcICQoLDA0ODw'],
        ['tag', 'coupon-kiosk/2'],
        ['alg', 'rsa-pss-sha512'],
      ];
      for (const [name, value] of params) {
        const changed = withInput(req, ([items, p]) => [items, new Map([...p, [name, value]])]);
        assert.equal(code(changed), 'SIGNATURE_INVALID', name);
      }
      const otherKid = withInput(req, ([items, p]) => [items, new Map([...p, ['keyid', '0123456789abcdef']])]);
      assert.equal(code(otherKid), 'UNKNOWN_TERMINAL');
    });

    it('a body added to a request signed without one', () => {
      const req = signed(getRequest());
      assert.equal(code({ ...req, body: utf8('{}'), headers: { ...req.headers, 'content-type': 'application/json' } }), 'SIGNATURE_MISSING');
    });
  });

  it('a wrong key: SIGNATURE_INVALID', () => {
    const other = edKey();
    const verdict = verify(signed(), NOW, (kid) => (kid === terminal.kid ? { publicKey: other.publicKey } : undefined));
    assert.equal(verdict.ok ? 'OK' : verdict.code, 'SIGNATURE_INVALID');
    const rsa = rsaKey();
    const rsaVerdict = verify(signed(), NOW, () => ({ publicKey: rsa.publicKey }));
    assert.equal(rsaVerdict.ok ? 'OK' : rsaVerdict.code, 'SIGNATURE_INVALID');
  });

  it('an unknown keyid: UNKNOWN_TERMINAL, still returning the signature to bind the answer to', () => {
    const req = signed();
    const verdict = verify(req, NOW, () => undefined);
    assert.ok(!verdict.ok);
    assert.equal(verdict.code, 'UNKNOWN_TERMINAL');
    assert.equal(verdict.kid, terminal.kid);
    assert.deepEqual(verdict.signatureValue, requestSignatureOf(req.headers));
    assert.match(verdict.message, new RegExp(terminal.kid));
  });

  describe('missing pieces: SIGNATURE_MISSING', () => {
    for (const name of ['created', 'nonce', 'keyid', 'alg', 'tag']) {
      it(`no ;${name}`, () => {
        const changed = withInput(signed(), ([items, p]) => [items, new Map([...p].filter(([k]) => k !== name))]);
        const verdict = verify(changed);
        assert.ok(!verdict.ok);
        assert.equal(verdict.code, 'SIGNATURE_MISSING');
        assert.match(verdict.message, new RegExp(`;${name}`));
      });
    }
    for (const name of ['@method', '@path', '@query', 'content-digest', 'content-type']) {
      it(`no "${name}" component`, () => {
        const changed = withInput(signed(), ([items, p]) => [items.filter(([n]) => n !== name), p]);
        assert.equal(code(changed), 'SIGNATURE_MISSING');
      });
    }
    it('no headers, no kiosk label, half the pair', () => {
      const req = signed();
      assert.equal(code(postRequest()), 'SIGNATURE_MISSING');
      assert.equal(code({ ...req, headers: { ...req.headers, signature: undefined } }), 'SIGNATURE_MISSING');
      const relabelled = { ...req, headers: { ...req.headers, signature: (req.headers.signature as string).replace('kiosk=', 'other='), 'signature-input': (req.headers['signature-input'] as string).replace('kiosk=', 'other=') } };
      assert.equal(code(relabelled), 'SIGNATURE_MISSING');
    });
    it('a covered header absent from the request', () => {
      const req = signed();
      assert.equal(code({ ...req, headers: { ...req.headers, 'content-type': undefined } }), 'SIGNATURE_MISSING');
    });
  });

  describe('outside the profile: SIGNATURE_INVALID', () => {
    it('an extra component, another order, a component parameter, an extra parameter, bad values', () => {
      const req = signed();
      const changes: ((input: InnerList) => InnerList)[] = [
        ([items, p]) => [[...items, ['host', new Map()]], p],
        ([items, p]) => [[...items].reverse(), p],
        ([items, p]) => [[...items, ['@method', new Map([['req', true]])]], p],
        ([items, p]) => [[...items, ['@method', new Map()]], p],
        ([items, p]) => [items, new Map([...p, ['expires', NOW + 60]])],
        ([items, p]) => [items, new Map([...p, ['created', 'yesterday']])],
        ([items, p]) => [items, new Map([...p, ['nonce', 'short']])],
        ([items, p]) => [items, new Map([...p, ['keyid', 'NOT-HEX']])],
      ];
      for (const change of changes) assert.equal(code(withInput(req, change)), 'SIGNATURE_INVALID');
    });
    it('headers that are not structured dictionaries', () => {
      const req = signed();
      assert.equal(code({ ...req, headers: { ...req.headers, signature: 'kiosk=:not base64' } }), 'SIGNATURE_INVALID');
      assert.equal(code({ ...req, headers: { ...req.headers, signature: 'kiosk="a string"' } }), 'SIGNATURE_INVALID');
      assert.equal(code({ ...req, headers: { ...req.headers, 'signature-input': 'kiosk=1' } }), 'SIGNATURE_INVALID');
    });
  });

  describe('freshness', () => {
    it('accepts created within ±300 s of the platform clock', () => {
      assert.equal(code(signed(postRequest(), NOW), NOW + 300), 'OK');
      assert.equal(code(signed(postRequest(), NOW), NOW - 300), 'OK');
    });
    it('refuses beyond, saying by how much: STALE_REQUEST', () => {
      const late = verify(signed(postRequest(), NOW), NOW + 301);
      assert.ok(!late.ok);
      assert.equal(late.code, 'STALE_REQUEST');
      assert.match(late.message, /301 s behind/);
      assert.equal(code(signed(postRequest(), NOW), NOW - 301), 'STALE_REQUEST');
    });
    it('a stale request with a bad signature is SIGNATURE_INVALID: staleness is reported only for authentic requests', () => {
      const req = signed();
      assert.equal(code({ ...req, method: 'PUT' }, NOW + 10_000), 'SIGNATURE_INVALID');
    });
  });

  it('refuses to sign with the wrong inputs', () => {
    assert.throws(() => signRequest(postRequest(), { kid: terminal.kid, privateKey: rsaKey().privateKey }, { created: NOW }), /Ed25519/);
    assert.throws(() => signRequest(postRequest(), { kid: 'KID', privateKey: terminal.privateKey }, { created: NOW }), /kid/);
    assert.throws(() => signRequest(postRequest(), terminal, { created: 1.5 }), /whole seconds/);
    assert.throws(() => signRequest(postRequest(), terminal, { created: NOW, nonce: 'abc' }), /nonce/);
    assert.throws(() => signRequest({ ...postRequest(), headers: {} }, terminal, { created: NOW }), /Content-Type/);
  });
});
