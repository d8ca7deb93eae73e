/**
 * The TypeBox schemas of a USB export batch's record and manifest
 * (protocol/batch.ts): the platform checks a batch against them
 * (batch-verify.ts); the kiosk, which only writes batches, never loads them.
 */
import { Type, type Static } from 'typebox';
import { BATCH_FORMAT } from './batch.js';

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
