import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REASONS } from '../../coupon/reasons.js';
import { LEDGER_ERROR_CODES } from '../../device/ledger/errors.js';
import { BLOCKING_FAULTS } from '../../device/screens.js';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/operations.md');

describe('docs/operations.md', () => {
  const doc = readFileSync(DOC, 'utf8');

  it('explains every fault the kiosk can show', () => {
    for (const code of [...BLOCKING_FAULTS, 'CLOCK_UNTRUSTED']) assert.match(doc, new RegExp(`\\| \`${code}\` \\|`), code);
  });

  it('names every ledger error code', () => {
    for (const code of LEDGER_ERROR_CODES) assert.ok(doc.includes(`\`${code}\``), code);
  });

  it('names every verdict reason', () => {
    for (const reason of REASONS.filter((r) => r !== 'VALID')) assert.ok(doc.includes(reason), reason);
  });
});
