import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ALG, generateKeyPair, kidOf, toHex, type KeyPair } from '../../coupon/index.js';
import type { BatchErrorCode } from '../../protocol/batch-errors.js';
import { peekManifest, verifyBatch, type VerifyBatchOptions } from '../../protocol/batch-verify.js';
import { BATCH_MANIFEST_CONTENT_TYPE, encodeManifest, sha256Hex, type BatchManifest } from '../../protocol/batch.js';
import { signDocument } from '../../protocol/signed-document.js';
import { dataOf, manifestFor, record, records } from './batch-helpers.js';

function signManifest(m: BatchManifest, key: KeyPair, contentType = BATCH_MANIFEST_CONTENT_TYPE): Uint8Array {
  return signDocument(encodeManifest(m), contentType, [{ kid: toHex(kidOf(key.publicKey)), alg: ALG.EdDSA, privateKey: key.privateKey }]);
}

describe('protocol/batch: verifyBatch, as the platform calls it', () => {
  const terminal = generateKeyPair('ed25519');
  const other = generateKeyPair('ed25519');
  const rs = records(4);
  const data = dataOf(rs);
  const m1 = manifestFor(rs, 1, null);
  const bytes1 = signManifest(m1, terminal);
  const first: VerifyBatchOptions = { terminalKey: terminal.publicKey, platformId: 'plat-1', terminalId: 'T-1', previousManifestHash: null, previousSequence: 0 };
  const after1: VerifyBatchOptions = { ...first, previousManifestHash: sha256Hex(bytes1), previousSequence: 1 };

  function refused(manifest: Uint8Array, d: Uint8Array, opts: VerifyBatchOptions, code: BatchErrorCode, message?: RegExp): void {
    const v = verifyBatch(manifest, d, opts);
    assert.equal(v.ok, false, `expected ${code}`);
    assert.equal(!v.ok && v.code, code, !v.ok ? v.message : '');
    if (message) assert.match(!v.ok ? v.message : '', message);
    assert.equal(v.manifestSha256, sha256Hex(manifest));
  }

  it('accepts an intact chain in order, with every record', () => {
    const v1 = verifyBatch(bytes1, data, first);
    assert.equal(v1.ok, true);
    assert.deepEqual(v1.ok && v1.records, rs);
    const rs2 = [record(1), record(2)];
    const bytes2 = signManifest(manifestFor(rs2, 2, sha256Hex(bytes1)), terminal);
    assert.equal(verifyBatch(bytes2, dataOf(rs2), after1).ok, true);
  });

  it('refuses a flipped byte anywhere in the data file', () => {
    for (const at of [0, 10, data.length >> 1, data.length - 2]) {
      const spoiled = Buffer.from(data);
      spoiled[at] = spoiled[at]! ^ 0x01;
      const v = verifyBatch(bytes1, spoiled, first);
      assert.equal(v.ok, false, `byte ${at}`);
    }
    refused(bytes1, Buffer.from(data).fill(0x58, 30, 31), first, 'DATA_ALTERED');
  });

  it('refuses a flipped bit anywhere in the manifest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes1.length * 8 - 1 }), (bit) => {
        const spoiled = Buffer.from(bytes1);
        spoiled[bit >> 3] = spoiled[bit >> 3]! ^ (1 << (bit & 7));
        const v = verifyBatch(spoiled, data, first);
        assert.equal(v.ok, false);
        assert.ok(!v.ok && ['MANIFEST_MALFORMED', 'MANIFEST_SIGNATURE_INVALID', 'MANIFEST_UNKNOWN_SIGNER'].includes(v.code), !v.ok ? v.code : '');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses dropped, added and reordered records, each by name', () => {
    refused(bytes1, dataOf(rs.slice(0, 3)), first, 'DATA_RECORDS_DROPPED', /3 records, signed with 4/);
    refused(bytes1, dataOf([...rs, record(5)]), first, 'DATA_RECORDS_ADDED', /5 records, signed with 4/);
    refused(bytes1, dataOf([rs[0]!, rs[2]!, rs[1]!, rs[3]!]), first, 'DATA_RECORDS_REORDERED', /line 2 holds record 3/);
  });

  it('refuses a replayed batch, a gap and a fork in the chain', () => {
    refused(bytes1, data, after1, 'BATCH_REPLAYED', /batch 1 of terminal T-1, but batch 1 was already accepted/);
    const bytes3 = signManifest(manifestFor(rs, 3, 'ab'.repeat(32)), terminal);
    refused(bytes3, data, after1, 'BATCH_GAP', /batch 2 is missing; import them first/);
    const fork = signManifest(manifestFor(rs, 2, 'ab'.repeat(32)), terminal);
    refused(fork, data, after1, 'BATCH_CHAIN_BROKEN');
  });

  it('refuses a manifest signed by another terminal, and one naming another terminal', () => {
    refused(signManifest(m1, other), data, first, 'MANIFEST_UNKNOWN_SIGNER', /signed only by unknown keys/);
    refused(signManifest({ ...m1, terminalId: 'T-2' }, terminal), data, first, 'MANIFEST_WRONG_TERMINAL', /terminal T-2/);
    refused(signManifest({ ...m1, platformId: 'plat-2' }, terminal), data, first, 'MANIFEST_WRONG_TERMINAL', /platform plat-2/);
  });

  it('refuses a signed document of another kind, a manifest payload that breaks the schema, and garbage', () => {
    refused(signManifest(m1, terminal, 'application/vnd.coupon-kiosk.trust+json'), data, first, 'MANIFEST_MALFORMED', /content type/);
    const bad = signDocument(new TextEncoder().encode('{"format":"x"}'), BATCH_MANIFEST_CONTENT_TYPE, [
      { kid: toHex(kidOf(terminal.publicKey)), alg: ALG.EdDSA, privateKey: terminal.privateKey },
    ]);
    refused(bad, data, first, 'MANIFEST_MALFORMED', /schema/);
    refused(new Uint8Array([1, 2, 3]), data, first, 'MANIFEST_MALFORMED');
    refused(new Uint8Array(0), new Uint8Array(0), first, 'MANIFEST_MALFORMED');
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (m, d) => {
        assert.equal(verifyBatch(m, d, first).ok, false);
        peekManifest(m);
      }),
    );
  });

  it('peeks at who signed and what the manifest says, before the platform knows the terminal', () => {
    const peek = peekManifest(bytes1);
    assert.deepEqual(peek.kids, [toHex(kidOf(terminal.publicKey))]);
    assert.equal(peek.manifest?.terminalId, 'T-1');
    assert.equal(peek.manifest?.sequence, 1);
    assert.equal(peek.manifestSha256, sha256Hex(bytes1));
    assert.deepEqual(peekManifest(new Uint8Array([0xa0])), { kids: [], manifestSha256: sha256Hex(new Uint8Array([0xa0])) });
  });
});
