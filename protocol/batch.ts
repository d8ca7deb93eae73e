/**
 * The USB export batch (issue 10), shared by the kiosk that writes it and the
 * platform that imports it. A batch is two files in one folder:
 *
 *   coupon-export/<platform>/<terminal>/batch-000042.jsonl     the records
 *   coupon-export/<platform>/<terminal>/batch-000042.manifest  the signed manifest
 *
 * The data file is UTF-8 JSON Lines, one BatchRecord per line, each ending in
 * "\n", records numbered n = 1..count in file order. The manifest is a
 * COSE_Sign (protocol/signed-document.ts) with content type
 * BATCH_MANIFEST_CONTENT_TYPE over the JSON of a BatchManifest, signed by the
 * terminal key the kiosk holds for that platform. The manifest names the data
 * file and carries its SHA-256 and size, and the SHA-256 of the previous
 * manifest file of the same (platform, terminal): the batches form a chain,
 * numbered from 1, that the platform accepts only in order.
 *
 * Pure: no files, no sockets. verifyBatch (batch-verify.ts) is what the
 * platform calls.
 */
import { createHash } from 'node:crypto';
import type { BatchManifest, BatchRecord, RedeemBatchRecord, ReverseBatchRecord } from './batch-schema.js';

export const BATCH_MANIFEST_CONTENT_TYPE = 'application/vnd.coupon-kiosk.batch-manifest+json';
export const BATCH_FORMAT = 'coupon-kiosk-batch/1';
/** The folder at a stick's root that holds the batches (the kiosk's usb.folder may name another). */
export const EXPORT_FOLDER = 'coupon-export';

export type { BatchManifest, BatchRecord, RedeemBatchRecord, ReverseBatchRecord } from './batch-schema.js';

/**
 * The keys of each kind of record and of a manifest, in the order they are
 * written: the schemas' keys in their order (test/protocol/batch-format.test.ts
 * holds them equal), listed here so that the kiosk writes batches without
 * loading typebox.
 */
export const RECORD_KEYS = {
  redeem: ['kind', 'n', 'platformId', 'ctiHex', 'serial', 'product', 'quantity', 'consumer', 'merchantId', 'redeemedAt', 'terminalId'],
  reverse: ['kind', 'n', 'platformId', 'ctiHex', 'serial', 'product', 'quantity', 'consumer', 'merchantId', 'redeemedAt', 'reversedAt', 'terminalId'],
} as const satisfies { redeem: readonly (keyof RedeemBatchRecord)[]; reverse: readonly (keyof ReverseBatchRecord)[] };
export const MANIFEST_KEYS = [
  'format', 'platformId', 'terminalId', 'sequence', 'previousManifestSha256', 'createdAt',
  'count', 'firstRedeemedAt', 'lastRedeemedAt', 'dataFile', 'dataSha256', 'dataBytes',
] as const satisfies readonly (keyof BatchManifest)[];

const q = JSON.stringify;

/**
 * A record's line in the data file: always the same keys in the same order,
 * so the same record is the same bytes (what JSON.stringify with RECORD_KEYS
 * as replacer writes, a test checks; spelled out because 100,000 records are
 * written per export and a replacer array is several times slower). Numbers
 * are integers (the schema's), so `${n}` is JSON's own spelling.
 */
export function encodeRecord(r: BatchRecord): string {
  const reversed = r.kind === 'reverse' ? `,"reversedAt":${r.reversedAt}` : '';
  return `{"kind":${q(r.kind)},"n":${r.n},"platformId":${q(r.platformId)},"ctiHex":${q(r.ctiHex)},"serial":${q(r.serial)},"product":${q(r.product)},` +
    `"quantity":${r.quantity},"consumer":${q(r.consumer)},"merchantId":${q(r.merchantId)},"redeemedAt":${r.redeemedAt}${reversed},"terminalId":${q(r.terminalId)}}\n`;
}

/** The manifest payload's bytes, in the schema's key order. */
export function encodeManifest(m: BatchManifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m, [...MANIFEST_KEYS]));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// ---- names that are legal on FAT32 and exFAT (and so on every stick) ----

/** FAT/exFAT forbid these in names; Windows also refuses the device names below. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A folder name for an id: the id itself when it is lower-case letters,
 * digits, dot, dash and underscore (not ending in a dot, not a device name);
 * otherwise those characters kept, the rest as '_', and '~' plus 8 hex digits
 * of the id's SHA-256, so that two ids never share a folder on a
 * case-insensitive file system ("Shop" and "shop" differ in their suffix).
 */
export function fatSafeName(id: string): string {
  if (/^[a-z0-9._-]{1,64}$/.test(id) && !id.endsWith('.') && !RESERVED.test(id)) return id;
  const base = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.+$/, '').slice(0, 48) || 'id';
  return `${base}~${sha256Hex(new TextEncoder().encode(id)).slice(0, 8)}`;
}

/** The folder of a chain, relative to the stick's root. */
export function batchFolder(platformId: string, terminalId: string): string[] {
  return [EXPORT_FOLDER, fatSafeName(platformId), fatSafeName(terminalId)];
}

export function batchStem(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`batch sequence must be a positive integer, got ${sequence}`);
  return `batch-${String(sequence).padStart(6, '0')}`;
}

export function batchFileNames(sequence: number): { data: string; manifest: string } {
  const stem = batchStem(sequence);
  return { data: `${stem}.jsonl`, manifest: `${stem}.manifest` };
}

/** The sequence number of a manifest file name, or undefined for any other name. */
export function manifestSequence(name: string): number | undefined {
  const m = /^batch-([0-9]{6,})\.manifest$/i.exec(name);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
