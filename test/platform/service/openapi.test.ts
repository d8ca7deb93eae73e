/** The OpenAPI document: generated from the route schemas, served at /openapi.json, committed fresh in docs/. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openApiDocument } from '../../../platform/openapi.js';
import { startHarness, type Harness } from './harness.js';

describe('platform OpenAPI', function () {
  let h: Harness;
  before(async function () {
    h = await startHarness(this);
  });
  after(async () => h?.close());

  it('docs/openapi.json is what `npm run openapi` generates now (run it after changing a route)', async function () {
    const committed = readFileSync(new URL('../../../../docs/openapi.json', import.meta.url), 'utf8');
    assert.ok(committed === (await openApiDocument()), 'docs/openapi.json is stale: run `npm run openapi` and commit it');
  });

  it('is served at /openapi.json and documents every route with its schemas', async function () {
    const r = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(r.statusCode, 200);
    const doc = r.json() as { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown>; security?: unknown }>> };
    for (const route of ['/v1/health', '/v1/enroll', '/v1/terminal/state', '/v1/terminal/revocations', '/v1/terminal/claims', '/v1/terminal/redemptions', '/v1/admin/merchants', '/v1/admin/coupons', '/v1/admin/keys/rotate', '/v1/admin/bundles']) {
      assert.ok(doc.paths[route], `${route} is documented`);
    }
    assert.ok(doc.paths['/v1/enroll']!['post']!.requestBody, 'request bodies are documented');
    assert.ok(doc.paths['/v1/admin/merchants']!['post']!.responses['4XX'], 'error answers are documented');
    assert.ok(doc.paths['/v1/admin/merchants']!['post']!.security, 'admin routes say they need the token');
    assert.equal(doc.paths['/openapi.json'], undefined);
  });
});
