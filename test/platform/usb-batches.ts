/**
 * USB batches a kiosk would write, for the platform's import tests: records
 * of real coupons, the data file and a manifest signed by a test terminal's
 * key (or another key, for the forgeries), chained by the previous
 * manifest's hash.
 */
import type { KeyObject } from 'node:crypto';
import { ALG, formatSerial, kidOf, toHex } from '../../coupon/index.js';
import { BATCH_MANIFEST_CONTENT_TYPE, encodeManifest, sha256Hex, type BatchManifest, type BatchRecord, type RedeemBatchRecord } from '../../protocol/batch.js';
import { signDocument } from '../../protocol/signed-document.js';
import { dataOf, manifestFor } from '../protocol/batch-helpers.js';

export interface Batch {
  manifest: Uint8Array;
  data: Uint8Array;
  sha256: string;
  records: BatchRecord[];
}

export interface Chain {
  platformId: string;
  terminalId: string;
  /** the key that signs the manifests */
  key: KeyObject;
}

/** A record of coupon `ctiHex` (product hotpot, quantity 2, consumer u-7, merchant shop-1). */
export function redemption(chain: Chain, n: number, ctiHex: string, redeemedAt: number, over: Partial<RedeemBatchRecord> = {}): RedeemBatchRecord {
  return {
    kind: 'redeem', n, platformId: chain.platformId, ctiHex, serial: formatSerial(Buffer.from(ctiHex, 'hex')),
    product: 'hotpot', quantity: 2, consumer: 'u-7', merchantId: 'shop-1', redeemedAt, terminalId: 'till-1', ...over,
  };
}

export function signManifest(m: BatchManifest, key: KeyObject): Uint8Array {
  return signDocument(encodeManifest(m), BATCH_MANIFEST_CONTENT_TYPE, [{ kid: toHex(kidOf(key)), alg: ALG.EdDSA, privateKey: key }]);
}

/** Batch `seq` of the chain after the manifest hash `prev` (null for the first), over `records`. */
export function makeBatch(chain: Chain, seq: number, prev: string | null, records: BatchRecord[], over: Partial<BatchManifest> = {}): Batch {
  const m = manifestFor(records, seq, prev, { platformId: chain.platformId, terminalId: chain.terminalId, ...over });
  const manifest = signManifest(m, chain.key);
  return { manifest, data: dataOf(records), sha256: sha256Hex(manifest), records };
}
