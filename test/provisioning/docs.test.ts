/** Every provisioning and transport code, and every crash point, is explained in docs/operations.md. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVISION_CODES } from '../../provisioning/errors.js';
import { TRANSPORT_CODES } from '../../sync/transport/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('docs/operations.md: provisioning', () => {
  const doc = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');

  it('has a row for every provisioning and transport code', () => {
    for (const code of [...PROVISION_CODES, ...TRANSPORT_CODES]) assert.match(doc, new RegExp(`\\| \`${code}\`[ ,|]`), code);
  });

  it('lists every crash point the code has', () => {
    const points = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/crashPoint\('([a-z:-]+)'\)/g)) points.add(m[1]!);
      }
    };
    walk(path.join(ROOT, 'provisioning'));
    assert.ok(points.size >= 8, [...points].join(' '));
    for (const p of points) assert.ok(doc.includes(`\`${p}\``), p);
  });
});
