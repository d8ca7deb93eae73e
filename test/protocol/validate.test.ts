import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { compileSchema, formatIssue } from '../../protocol/validate.js';

const Port = Type.Object(
  {
    host: Type.String({ pattern: '^[a-z.]+$', expected: 'a lower-case host name' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 443 }),
    tls: Type.Boolean({ default: true }),
    tags: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    mode: Type.Union([Type.Object({ a: Type.Integer() }, { additionalProperties: false }), Type.Object({ b: Type.String() }, { additionalProperties: false })], {
      default: { a: 1 },
      expected: '{"a": N} or {"b": "..."}',
    }),
    inner: Type.Object({ level: Type.Enum(['low', 'high'], { default: 'low' }) }, { additionalProperties: false, default: {} }),
  },
  { additionalProperties: false },
);

describe('protocol/validate', () => {
  const v = compileSchema(Port);

  it('fills defaults into a frozen copy and leaves the input alone', () => {
    const raw = { host: 'example.org' };
    const r = v.validate(raw);
    assert.ok(r.ok);
    assert.deepEqual(r.value, { host: 'example.org', port: 443, tls: true, tags: [], mode: { a: 1 }, inner: { level: 'low' } });
    assert.deepEqual(raw, { host: 'example.org' });
    assert.ok(Object.isFrozen(r.value) && Object.isFrozen(r.value.inner) && Object.isFrozen(r.value.tags));
  });

  it('reports every problem at once: dotted path, bad value, readable message', () => {
    const r = v.validate({ port: 70000, tls: 'yes', tags: ['ok', ''], mode: { c: 1 }, inner: { level: 'max', extra: 2 }, colour: 'red' });
    assert.ok(!r.ok);
    const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i]));
    assert.deepEqual(Object.keys(byPath).sort(), ['colour', 'host', 'inner.extra', 'inner.level', 'mode', 'port', 'tags[1]', 'tls']);
    assert.equal(byPath['host']?.message, 'is required');
    assert.equal(byPath['port']?.message, 'must be an integer from 1 to 65535');
    assert.equal(byPath['port']?.value, 70000);
    assert.equal(byPath['tls']?.message, 'must be true or false');
    assert.equal(byPath['tags[1]']?.message, 'must be a non-empty string');
    assert.equal(byPath['mode']?.message, 'must be {"a": N} or {"b": "..."}', 'a union reports once, in its own words');
    assert.equal(byPath['inner.level']?.message, 'must be one of "low", "high"');
    assert.equal(byPath['inner.extra']?.message, 'unknown key (known: level)');
    assert.equal(byPath['colour']?.value, 'red');
    assert.equal(formatIssue(byPath['port']!), 'port: must be an integer from 1 to 65535 (got 70000)');
  });

  it('uses the schema\'s words for a pattern, and names the root', () => {
    const bad = v.validate({ host: 'Not A Host' });
    assert.ok(!bad.ok);
    assert.equal(bad.issues[0]?.message, 'must be a lower-case host name');
    const root = v.validate([1]);
    assert.ok(!root.ok);
    assert.deepEqual(root.issues, [{ path: '(root)', value: [1], message: 'must be a JSON object' }]);
  });
});
