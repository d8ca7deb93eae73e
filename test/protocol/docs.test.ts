import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCUMENT_PAYLOAD_CODES } from '../../protocol/documents.js';
import { REQUEST_SIGNATURE_CODES, RESPONSE_SIGNATURE_CODES } from '../../protocol/http-signature.js';
import { MERCHANT_KEYS_CODES } from '../../protocol/merchant-keys.js';
import { PASSPHRASE_CODES } from '../../protocol/passphrase.js';
import { PROVISIONING_BUNDLE_CODES } from '../../protocol/provisioning-bundle.js';
import { SEALED_CODES } from '../../protocol/sealed.js';
import { SETUP_CODE_CODES } from '../../protocol/setup-code.js';
import { DOCUMENT_CODES } from '../../protocol/signed-document.js';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/protocol.md');

describe('docs/protocol.md', () => {
  const doc = readFileSync(DOC, 'utf8');
  const lists: [string, readonly string[]][] = [
    ['request signature', REQUEST_SIGNATURE_CODES],
    ['response signature', RESPONSE_SIGNATURE_CODES],
    ['signed document', DOCUMENT_CODES],
    ['document payload', DOCUMENT_PAYLOAD_CODES],
    ['merchant-key payload', MERCHANT_KEYS_CODES],
    ['sealed delivery', SEALED_CODES],
    ['setup code', SETUP_CODE_CODES],
    ['passphrase envelope', [...PASSPHRASE_CODES, 'PASSPHRASE_TOO_SHORT', 'PASSPHRASE_TOO_LONG']],
    ['provisioning bundle', PROVISIONING_BUNDLE_CODES],
  ];
  for (const [what, codes] of lists) {
    it(`explains every ${what} code`, () => {
      for (const code of codes) assert.ok(doc.includes(`\`${code}\``), code);
    });
  }
});
