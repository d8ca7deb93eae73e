import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REQUEST_SIGNATURE_CODES, RESPONSE_SIGNATURE_CODES } from '../../protocol/http-signature.js';
import { DOCUMENT_CODES } from '../../protocol/signed-document.js';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/protocol.md');

describe('docs/protocol.md', () => {
  const doc = readFileSync(DOC, 'utf8');
  const lists: [string, readonly string[]][] = [
    ['request signature', REQUEST_SIGNATURE_CODES],
    ['response signature', RESPONSE_SIGNATURE_CODES],
    ['signed document', DOCUMENT_CODES],
  ];
  for (const [what, codes] of lists) {
    it(`explains every ${what} code`, () => {
      for (const code of codes) assert.ok(doc.includes(`\`${code}\``), code);
    });
  }
});
