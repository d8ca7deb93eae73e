/**
 * Bad input gets a 400 that names the field (never a 500 or a stack trace);
 * unknown routes a 404 in JSON; huge bodies a 413; every code documented.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import net, { type AddressInfo } from 'node:net';
import { HTTP_ERRORS, toHttpError } from '../../../platform/service/errors.js';
import { RefusalCode } from '../../../protocol/sync.js';
import { STORE_ERROR_CODES, StoreError, type StoreErrorCode } from '../../../platform/store/errors.js';
import { startHarness, type Harness } from './harness.js';

function assertError(r: { statusCode: number; json(): unknown; body: string }, status: number, code: string, field?: RegExp): void {
  assert.equal(r.statusCode, status, r.body);
  const b = r.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(b).sort(), ['code', 'error', 'message', 'statusCode']);
  assert.equal(b['code'], code, r.body);
  assert.equal(b['statusCode'], status);
  if (field) assert.match(String(b['message']), field);
  assert.doesNotMatch(r.body, /at .*\.js:\d+|node_modules/, 'no stack trace');
}

describe('platform service: errors', function () {
  let h: Harness;
  before(async function () {
    h = await startHarness(this, undefined, { bodyLimit: 4096 });
    await h.api('POST', '/v1/admin/merchants', { merchantId: 'm-1' });
  });
  after(async () => h?.close());

  it('wrong types, missing and unknown fields: 400 VALIDATION_FAILED naming the field', async function () {
    assertError(await h.api('POST', '/v1/admin/merchants', { merchantId: 42 }), 400, 'VALIDATION_FAILED', /merchantId/);
    assertError(await h.api('POST', '/v1/admin/merchants', {}), 400, 'VALIDATION_FAILED', /merchantId/);
    assertError(await h.api('POST', '/v1/admin/merchants', { merchantId: 'ok', colour: 'red' }), 400, 'VALIDATION_FAILED', /colour|additional/);
    assertError(await h.api('POST', '/v1/admin/merchants', { merchantId: '../etc' }), 400, 'VALIDATION_FAILED', /merchantId/);
    assertError(await h.api('POST', '/v1/admin/merchants', { merchantId: 'x', claimMode: 'sometimes' }), 400, 'VALIDATION_FAILED', /claimMode/);
    assertError(await h.api('POST', '/v1/admin/merchants', { merchantId: 'x', settings: { claimTimeoutMs: 5 } }), 400, 'VALIDATION_FAILED', /claimTimeoutMs/);
    assertError(await h.api('POST', '/v1/admin/coupons', { aud: 'm-1', sub: 'u', product: 'p', quantity: '2' }), 400, 'VALIDATION_FAILED', /quantity/);
    assertError(await h.api('POST', '/v1/admin/coupons', { aud: 'm-1', sub: 'u', product: 'p', quantity: 10001 }), 400, 'VALIDATION_FAILED', /quantity/);
    assertError(await h.api('POST', '/v1/admin/coupons', { aud: 'm-1', sub: 'u', product: 'p', quantity: 1, exp: 'tomorrow' }), 400, 'VALIDATION_FAILED', /exp/);
    assertError(await h.api('GET', '/v1/admin/redemptions?limit=abc'), 400, 'VALIDATION_FAILED', /limit/);
    assertError(await h.api('GET', '/v1/admin/redemptions?limit=0'), 400, 'VALIDATION_FAILED', /limit/);
    assertError(await h.api('GET', '/v1/admin/terminals/not-a-terminal'), 400, 'VALIDATION_FAILED', /terminalId/);
  });

  it('bodies that are not JSON objects: 400 naming the problem', async function () {
    const raw = (payload: string, type = 'application/json') =>
      h.app.inject({ method: 'POST', url: '/v1/admin/merchants', payload, headers: { 'content-type': type, authorization: `Bearer ${h.adminToken}` } });
    assertError(await raw('{"merchantId": '), 400, 'BAD_JSON');
    assertError(await raw(''), 400, 'BAD_JSON');
    assertError(await raw('[1,2,3]'), 400, 'VALIDATION_FAILED', /object/);
    assertError(await raw('null'), 400, 'VALIDATION_FAILED');
    assertError(await raw('{"__proto__": {"admin": true}, "merchantId": "p"}'), 400, 'BAD_JSON');
    assertError(await raw('merchantId=x', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over the limit: 413 BODY_TOO_LARGE', async function () {
    assertError(await h.api('POST', '/v1/admin/merchants', { merchantId: 'big', name: 'x'.repeat(10_000) }), 413, 'BODY_TOO_LARGE');
  });

  it('unknown routes and methods: 404 JSON', async function () {
    assertError(await h.api('GET', '/v1/nothing'), 404, 'NOT_FOUND', /\/v1\/nothing/);
    assertError(await h.api('DELETE', '/v1/admin/merchants'), 404, 'NOT_FOUND');
    assertError(await h.app.inject({ method: 'GET', url: '/' }), 404, 'NOT_FOUND');
  });

  it('arbitrary JSON bodies on every admin POST never give a 5xx', async function () {
    this.timeout(60_000);
    const routes = ['/v1/admin/merchants', '/v1/admin/coupons', '/v1/admin/enrollment-tokens', '/v1/admin/merchants/m-1/branches', '/v1/admin/merchants/m-1/keys', '/v1/admin/revocations', '/v1/admin/bundles', '/v1/enroll'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue({ maxDepth: 3 }), async (url, body) => {
        const r = await h.app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${h.adminToken}` } });
        assert.ok(r.statusCode < 500, `${url} ${JSON.stringify(body)} → ${r.statusCode} ${r.body}`);
      }),
      { numRuns: 150 },
    );
  });

  it('a request that never finishes arriving has its socket closed (slow-loris guard)', async function () {
    const slow = await startHarness(this, undefined, { requestTimeoutMs: 300 });
    try {
      await slow.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (slow.app.server.address() as AddressInfo).port;
      const sock = net.connect(port, '127.0.0.1');
      let got = '';
      sock.on('data', (c: Buffer) => (got += c.toString()));
      sock.write(`POST /v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"merch`);
      const started = Date.now();
      await new Promise<void>((resolve) => sock.on('close', () => resolve()));
      // the socket timeout (2 × requestTimeoutMs) or Node's request timeout (408) ends it, whichever comes first
      assert.ok(got === '' || /^HTTP\/1\.1 408/.test(got), got);
      assert.ok(Date.now() - started < 5000, `closed after ${Date.now() - started} ms`);
    } finally {
      await slow.close();
    }
  });

  it('every HTTP error code and every store error code is documented in docs/platform.md', function () {
    const doc = readFileSync(new URL('../../../../docs/platform.md', import.meta.url), 'utf8');
    for (const code of [...Object.keys(HTTP_ERRORS), ...Object.keys(STORE_ERROR_CODES)]) {
      if (code === 'UNKNOWN_TERMINAL' || code === 'REPLAYED_NONCE') continue; // answered as TERMINAL_NOT_FOUND / REPLAYED_REQUEST
      assert.match(doc, new RegExp('`' + code + '`'), `${code} is not in docs/platform.md`);
    }
  });

  it('every per-record refusal code of the sync protocol is documented in docs/platform.md and docs/protocol.md', function () {
    const codes = (RefusalCode as unknown as { anyOf: Array<{ const: string }> }).anyOf.map((c) => c.const);
    assert.ok(codes.length >= 7);
    for (const doc of ['platform.md', 'protocol.md']) {
      const text = readFileSync(new URL(`../../../../docs/${doc}`, import.meta.url), 'utf8');
      for (const code of codes) assert.match(text, new RegExp('`' + code + '`'), `${code} is not in docs/${doc}`);
    }
  });

  it('every store refusal reaches a client as a 4xx or 503, never as a 500', function () {
    const startup = ['MIGRATION_INVALID', 'MIGRATION_CHANGED', 'SCHEMA_TOO_NEW', 'PLATFORM_ID_MISMATCH'];
    for (const code of Object.keys(STORE_ERROR_CODES) as StoreErrorCode[]) {
      if (startup.includes(code)) continue; // stops serve at start, never during a request
      const http = toHttpError(new StoreError(code, 'x'));
      assert.ok(http.statusCode < 500 || http.statusCode === 503, `${code} → ${http.statusCode}`);
    }
  });
});
