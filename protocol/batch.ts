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
import { Type, type Static } from 'typebox';

export const BATCH_MANIFEST_CONTENT_TYPE = 'application/vnd.coupon-kiosk.batch-manifest+json';
export const BATCH_FORMAT = 'coupon-kiosk-batch/1';
/** The folder at a stick's root that holds the batches (the kiosk's usb.folder may name another). */
export const EXPORT_FOLDER = 'coupon-export';

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Id = Type.String({ pattern: '^\\S{1,128}$' });
const TerminalId = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' });
const UnixMs = Type.Integer({ minimum: 0, maximum: 2 ** 47 });
/** Claims text as the coupon format allows it (its whole text is bounded well below this). */
const Text = Type.String({ minLength: 1, maxLength: 1024 });

/** The fields every record has, in the order they are written (`reversedAt` goes after `redeemedAt`). */
const RECORD_FIELDS = {
  n: Type.Integer({ minimum: 1 }),
  platformId: Text,
  ctiHex: Type.String({ pattern: '^([0-9a-f]{2}){8,32}$' }),
  serial: Type.String({ minLength: 1, maxLength: 80 }),
  product: Text,
  quantity: Type.Integer({ minimum: 1, maximum: 10000 }),
  consumer: Text,
  merchantId: Text,
  redeemedAt: UnixMs,
};

/**
 * One redemption: `terminalId` is the terminal that redeemed it (its
 * ledger's terminal id), `redeemedAt` the scan time the kiosk recorded
 * (trusted time, Unix ms).
 */
export const RedeemRecordSchema = Type.Object(
  { kind: Type.Literal('redeem'), ...RECORD_FIELDS, terminalId: TerminalId },
  { additionalProperties: false },
);

/**
 * A compensating entry (docs/protocol.md "Reversal"): undoes the terminal's
 * redemption of the coupon scanned at `redeemedAt`, at `reversedAt` (kiosk
 * time) — a cashier's reversal, or the release of an online claim that got
 * no answer. Imported like the upload's `reverse` record.
 */
export const ReverseRecordSchema = Type.Object(
  { kind: Type.Literal('reverse'), ...RECORD_FIELDS, reversedAt: UnixMs, terminalId: TerminalId },
  { additionalProperties: false },
);

/** One outbox entry of the kiosk, in its ledger's order: a redemption or a reversal. */
export const BatchRecordSchema = Type.Union([RedeemRecordSchema, ReverseRecordSchema]);
export type BatchRecord = Static<typeof BatchRecordSchema>;
export type RedeemBatchRecord = Static<typeof RedeemRecordSchema>;
export type ReverseBatchRecord = Static<typeof ReverseRecordSchema>;

export const BatchManifestSchema = Type.Object(
  {
    format: Type.Literal(BATCH_FORMAT),
    platformId: Id,
    /** the enrolled terminal id for this platform: the signer */
    terminalId: Id,
    sequence: Type.Integer({ minimum: 1 }),
    /** SHA-256 (hex) of the previous manifest file of this chain; null for sequence 1 */
    previousManifestSha256: Type.Union([Hex64, Type.Null()]),
    createdAt: UnixMs,
    count: Type.Integer({ minimum: 1 }),
    firstRedeemedAt: UnixMs,
    lastRedeemedAt: UnixMs,
    dataFile: Type.String({ pattern: '^batch-[0-9]{6,}\\.jsonl$' }),
    dataSha256: Hex64,
    dataBytes: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type BatchManifest = Static<typeof BatchManifestSchema>;

/** The keys of each kind of record and of a manifest, in the order they are written. */
export const RECORD_KEYS = {
  redeem: Object.keys(RedeemRecordSchema.properties) as (keyof RedeemBatchRecord)[],
  reverse: Object.keys(ReverseRecordSchema.properties) as (keyof ReverseBatchRecord)[],
} as const;
export const MANIFEST_KEYS = Object.keys(BatchManifestSchema.properties) as (keyof BatchManifest)[];

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
  return new TextEncoder().encode(JSON.stringify(m, MANIFEST_KEYS));
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
