import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BATCH_ERRORS } from '../../protocol/batch-errors.js';
import { checkBatchContents, parseManifestPayload } from '../../protocol/batch-verify.js';
import { BatchManifestSchema, RedeemRecordSchema, ReverseRecordSchema } from '../../protocol/batch-schema.js';
import { MANIFEST_KEYS, RECORD_KEYS, batchFileNames, batchFolder, encodeManifest, encodeRecord, fatSafeName, manifestSequence, sha256Hex } from '../../protocol/batch.js';
import { dataOf, manifestFor, record, records } from './batch-helpers.js';

const FAT_FORBIDDEN = /["*/:<>?\\|\u0000-\u001f\u007f]/;
const H = 'ab'.repeat(32);

describe('protocol/batch: format and names', () => {
  it('writes the keys of the schemas, in their order (the kiosk writes batches without loading typebox)', () => {
    assert.deepEqual(RECORD_KEYS.redeem, Object.keys(RedeemRecordSchema.properties));
    assert.deepEqual(RECORD_KEYS.reverse, Object.keys(ReverseRecordSchema.properties));
    assert.deepEqual(MANIFEST_KEYS, Object.keys(BatchManifestSchema.properties));
  });

  it('writes each record as one line, same keys in the same order whatever the input order', () => {
    const r = record(1);
    const shuffled = Object.fromEntries(Object.entries(r).reverse()) as typeof r;
    assert.equal(encodeRecord(shuffled), encodeRecord(r));
    const line = encodeRecord(r);
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.deepEqual(Object.keys(JSON.parse(line) as object), [
      'kind', 'n', 'platformId', 'ctiHex', 'serial', 'product', 'quantity', 'consumer', 'merchantId', 'redeemedAt', 'terminalId',
    ]);
  });

  it('keeps a coupon title with a newline on its line (JSON escapes it)', () => {
    const line = encodeRecord(record(1, { product: 'a\nb', consumer: '\u2028' }));
    assert.equal(line.split('\n').length, 2);
  });

  it('round-trips a manifest through its payload bytes and schema', () => {
    const m = manifestFor(records(3), 1, null);
    const parsed = parseManifestPayload(encodeManifest(m), H);
    assert.deepEqual(parsed, { ok: true, manifest: m });
    const bad = parseManifestPayload(new TextEncoder().encode(JSON.stringify({ ...m, count: 0, extra: 1 })), H);
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : '', /extra: unknown key.*count: must be an integer of at least 1 \(got 0\)/);
    assert.equal(!bad.ok && bad.code, 'MANIFEST_MALFORMED');
    assert.equal(parseManifestPayload(new Uint8Array([0xff]), H).ok, false);
  });

  it('names batches legally on FAT and exFAT, and keeps distinct ids in distinct folders', () => {
    assert.deepEqual(batchFileNames(42), { data: 'batch-000042.jsonl', manifest: 'batch-000042.manifest' });
    assert.equal(batchFileNames(1234567).manifest, 'batch-1234567.manifest');
    assert.equal(manifestSequence('batch-000042.manifest'), 42);
    assert.equal(manifestSequence('BATCH-000042.MANIFEST'), 42);
    assert.equal(manifestSequence('batch-000042.jsonl'), undefined);
    assert.throws(() => batchFileNames(0), /positive integer/);
    assert.deepEqual(batchFolder('meituan-01', 'till.7'), ['coupon-export', 'meituan-01', 'till.7']);
    for (const id of ['Shop', 'shop', 'a:b', 'a_b', 'con', 'COM1.txt', 'x.', '平台', 'a/b', 'a\\b', '..']) {
      const name = fatSafeName(id);
      assert.ok(!FAT_FORBIDDEN.test(name) && !name.endsWith('.') && name.length <= 64 && name !== '..', `${id} → ${name}`);
    }
    assert.notEqual(fatSafeName('Shop').toLowerCase(), fatSafeName('shop').toLowerCase());
    assert.notEqual(fatSafeName('a:b'), fatSafeName('a_b'));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.string({ minLength: 1, maxLength: 128 }), (a, b) => {
        const na = fatSafeName(a);
        assert.ok(!FAT_FORBIDDEN.test(na) && !na.endsWith('.') && na.length <= 64);
        if (a !== b) assert.notEqual(na.toLowerCase(), fatSafeName(b).toLowerCase());
      }),
    );
  });
});

describe('protocol/batch: checks after the signature', () => {
  const rs = records(5);
  const data = dataOf(rs);
  const m1 = manifestFor(rs, 1, null);
  const first = { previousManifestHash: null, previousSequence: 0 };

  it('accepts an intact first batch and returns its records', () => {
    const v = checkBatchContents(m1, H, data, first);
    assert.equal(v.ok, true);
    assert.deepEqual(v.ok && v.records, rs);
  });

  const tampered: [string, () => Uint8Array, keyof typeof BATCH_ERRORS, RegExp][] = [
    ['a flipped byte', () => Buffer.from(data).fill(0x41, 40, 41), 'DATA_ALTERED', /signed: \d+ bytes/],
    ['a dropped record', () => dataOf(rs.slice(1)), 'DATA_RECORDS_DROPPED', /4 records, signed with 5/],
    ['an added record', () => dataOf([...rs, record(6)]), 'DATA_RECORDS_ADDED', /6 records, signed with 5/],
    ['reordered records', () => dataOf([rs[1]!, rs[0]!, ...rs.slice(2)]), 'DATA_RECORDS_REORDERED', /line 1 holds record 2/],
    ['a truncated file', () => data.slice(0, -1), 'DATA_ALTERED', /bytes/],
  ];
  for (const [what, spoil, code, message] of tampered) {
    it(`refuses ${what}: ${code}`, () => {
      const v = checkBatchContents(m1, H, spoil(), first);
      assert.equal(v.ok, false);
      assert.equal(!v.ok && v.code, code);
      assert.match(!v.ok ? v.message : '', message);
      assert.ok(!v.ok && v.message.startsWith(BATCH_ERRORS[code]));
    });
  }

  it('checks the chain: next in line accepted; replay, gap and fork refused', () => {
    const after1 = { previousManifestHash: H, previousSequence: 1 };
    assert.equal(checkBatchContents(manifestFor(rs, 2, H), 'h2', data, after1).ok, true);
    const replay = checkBatchContents(m1, H, data, after1);
    assert.equal(!replay.ok && replay.code, 'BATCH_REPLAYED');
    const gap = checkBatchContents(manifestFor(rs, 4, 'cd'.repeat(32)), 'h4', data, after1);
    assert.equal(!gap.ok && gap.code, 'BATCH_GAP');
    assert.match(!gap.ok ? gap.message : '', /batches 2 to 3 are missing/);
    const fork = checkBatchContents(manifestFor(rs, 2, 'cd'.repeat(32)), 'h2', data, after1);
    assert.equal(!fork.ok && fork.code, 'BATCH_CHAIN_BROKEN');
    const notFirst = checkBatchContents(manifestFor(rs, 1, H), 'h1', data, first);
    assert.equal(!notFirst.ok && notFirst.code, 'BATCH_CHAIN_BROKEN');
  });

  it('checks each record even when a (buggy) terminal signed it', () => {
    const signedAs = (list: ReturnType<typeof records>, over = {}) => {
      const d = dataOf(list);
      return checkBatchContents(manifestFor(list, 1, null, over), H, d, first);
    };
    const cases: [string, ReturnType<typeof records>, string, RegExp][] = [
      ['another platform', [record(1, { platformId: 'plat-2' })], 'RECORD_WRONG_PLATFORM', /line 1 is for platform plat-2/],
      ['a duplicate', [rs[0]!, { ...rs[0]!, n: 2 }], 'RECORD_DUPLICATE', /line 2/],
      ['a wrong serial', [record(1, { serial: 'XXXX' })], 'RECORD_INVALID', /is not the serial of cti/],
      ['a wrong number', [record(2)], 'RECORD_INVALID', /line 1 is numbered 2/],
      ['an unknown kind', [record(1, { kind: 'refund' as 'redeem' })], 'RECORD_INVALID', /kind/],
      ['quantity 0', [record(1, { quantity: 0 })], 'RECORD_INVALID', /quantity/],
    ];
    for (const [what, list, code, message] of cases) {
      const v = signedAs(list);
      assert.equal(!v.ok && v.code, code, what);
      assert.match(!v.ok ? v.message : '', message, what);
    }
    const wrongCount = signedAs(rs, { count: 4 });
    assert.equal(!wrongCount.ok && wrongCount.code, 'MANIFEST_INCONSISTENT'); // the hash fits, the count does not
    const wrongRange = signedAs(rs, { lastRedeemedAt: 1 });
    assert.equal(!wrongRange.ok && wrongRange.code, 'MANIFEST_INCONSISTENT');
    const bytes = Buffer.from('not json\n');
    const notJson = checkBatchContents(manifestFor([], 1, null, { count: 1, firstRedeemedAt: 0, lastRedeemedAt: 0, dataSha256: sha256Hex(bytes), dataBytes: bytes.length }), H, bytes, first);
    assert.equal(!notJson.ok && notJson.code, 'RECORD_INVALID');
  });
});
