/** Batches made by hand for the protocol tests: records, data bytes and a manifest that fits them. */
import { randomBytes } from 'node:crypto';
import { formatSerial } from '../../coupon/index.js';
import { BATCH_FORMAT, batchFileNames, encodeRecord, sha256Hex, type BatchManifest, type BatchRecord, type RedeemBatchRecord } from '../../protocol/batch.js';

export function record(n: number, over: Partial<RedeemBatchRecord> = {}): RedeemBatchRecord {
  const cti = randomBytes(12);
  return {
    kind: 'redeem',
    n,
    platformId: 'plat-1',
    ctiHex: cti.toString('hex'),
    serial: formatSerial(cti),
    product: 'sku-1',
    quantity: 2,
    consumer: 'u-1',
    merchantId: 'm-1',
    redeemedAt: 1_780_000_000_000 + n * 1000,
    terminalId: 'till-1',
    ...over,
  };
}

export function dataOf(records: readonly BatchRecord[]): Uint8Array {
  return Buffer.from(records.map(encodeRecord).join(''), 'utf8');
}

export function manifestFor(records: readonly BatchRecord[], sequence: number, previous: string | null, over: Partial<BatchManifest> = {}): BatchManifest {
  const data = dataOf(records);
  const times = records.map((r) => r.redeemedAt);
  return {
    format: BATCH_FORMAT,
    platformId: 'plat-1',
    terminalId: 'T-1',
    sequence,
    previousManifestSha256: previous,
    createdAt: 1_780_000_500_000,
    count: records.length,
    firstRedeemedAt: Math.min(...times),
    lastRedeemedAt: Math.max(...times),
    dataFile: batchFileNames(sequence).data,
    dataSha256: sha256Hex(data),
    dataBytes: data.length,
    ...over,
  };
}

export function records(count: number): BatchRecord[] {
  return Array.from({ length: count }, (_, i) => record(i + 1));
}
