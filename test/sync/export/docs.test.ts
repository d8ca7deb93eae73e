import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BATCH_ERRORS } from '../../../protocol/batch-errors.js';
import { EXPORT_ERRORS } from '../../../sync/export/errors.js';

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs');

describe('USB export codes are documented', () => {
  it('every batch refusal in docs/protocol.md, every export code in docs/operations.md', () => {
    const protocol = readFileSync(path.join(DOCS, 'protocol.md'), 'utf8');
    for (const code of Object.keys(BATCH_ERRORS)) assert.match(protocol, new RegExp(`\\| \`${code}\` \\|`), code);
    const operations = readFileSync(path.join(DOCS, 'operations.md'), 'utf8');
    for (const code of Object.keys(EXPORT_ERRORS)) assert.match(operations, new RegExp(`\\| \`${code}\` \\|`), code);
  });
});
