/**
 * The sync messages of the terminal protocol (issue 9; docs/protocol.md
 * "Sync"): online claims, batched uploads of the kiosk's outbox (redemptions
 * and reversals), and the per-record answers. Both ends import these schemas:
 * the platform validates and serialises with them, the kiosk checks answers
 * with them. Every request is signed by the terminal key and every answer by
 * the platform (docs/protocol.md); times are Unix ms.
 *
 * What a kiosk does with each answer is the contract as much as the shapes:
 *
 * - A whole-request failure (a 4xx/5xx ErrorBody, a timeout, a reset) says
 *   nothing about any record: the kiosk keeps every record and sends it again
 *   later (after fixing its clock on STALE_REQUEST, splitting the batch on
 *   BODY_TOO_LARGE). Sending the same record twice is always safe.
 * - A per-record answer is final for that record as sent: `recorded`,
 *   `duplicate` and `conflict` mean the platform has it (mark it uploaded);
 *   `unknown`, `revoked` and `refused` are permanent rejections: the kiosk
 *   keeps the record, marks it rejected with the answer, shows it (`kiosk
 *   status`) and still exports it to USB. It never deletes a record.
 */
import { Type, type Static } from 'typebox';
import { CtiHex, RedemptionRef, UnixMs } from './api.js';

/** Most records in one POST /v1/terminal/redemptions; a larger batch is a 400 VALIDATION_FAILED. */
export const UPLOAD_MAX_RECORDS = 500;
/** Largest upload body, bytes (other terminal routes keep the service's 256 KiB): past it, 413 BODY_TOO_LARGE; halve the batch. */
export const UPLOAD_MAX_BYTES = 1024 * 1024;
/**
 * How far ahead of the platform's clock a reported scan or reversal time may
 * be (the request-signature window): past it the record is refused
 * SCAN_IN_FUTURE, and a scan this far before the coupon's iat is refused
 * SCAN_BEFORE_ISSUE. The platform trusts no other kiosk time.
 */
export const SCAN_TIME_MAX_SKEW_MS = 300_000;
/** Most conflicts in one state answer; `conflictsMore` says there are more. */
export const CONFLICTS_PAGE_SIZE = 100;

/** Coupon text fields as the kiosk decrypted them (the coupon format bounds its own size far below this). */
const CouponText = (description: string) => Type.String({ minLength: 1, maxLength: 1024, description });

/** What the kiosk read from the coupon; the platform compares it with the coupon it issued (COUPON_MISMATCH). */
const CouponFacts = {
  ctiHex: CtiHex,
  product: CouponText('the coupon\'s product claim'),
  quantity: Type.Integer({ minimum: 1, maximum: 10000, description: 'the coupon\'s quantity claim (a coupon is redeemed whole)' }),
  consumer: CouponText('the coupon\'s sub claim (consumer id)'),
};

const ScannedAt = Type.Integer({ minimum: 0, description: 'the original scan time on the kiosk (its trusted time), Unix ms; never the upload time' });

// ---- POST /v1/terminal/claims ----

export const ClaimRequest = Type.Object(
  { ...CouponFacts, scannedAt: ScannedAt },
  { additionalProperties: false, description: 'claim one coupon for this terminal before accepting it (online-required, online-preferred)' },
);
export type ClaimRequest = Static<typeof ClaimRequest>;

/** Why the platform refuses one record (or claim) although the request was fine. */
export const RefusalCode = Type.Union(
  [
    Type.Literal('SCAN_IN_FUTURE'),
    Type.Literal('SCAN_BEFORE_ISSUE'),
    Type.Literal('COUPON_MISMATCH'),
    Type.Literal('REVERSAL_WINDOW_PASSED'),
    Type.Literal('REVERSAL_BEFORE_SCAN'),
    Type.Literal('REDEEMED_ELSEWHERE'),
    Type.Literal('SCAN_REVERSED'),
  ],
  { description: 'docs/protocol.md "Refusal codes"' },
);
export type RefusalCode = Static<typeof RefusalCode>;

const Time = { time: UnixMs };
const Refused = { code: RefusalCode, message: Type.String({ description: 'names the value at fault, for the log and the screen' }) };

export const ClaimResponse = Type.Union(
  [
    Type.Object(
      {
        ...Time, result: Type.Literal('claimed'), ctiHex: CtiHex,
        redemption: RedemptionRef,
        repeated: Type.Boolean({ description: 'true: this terminal had claimed the coupon before (a rescan after a crash, or a retried claim); the kiosk\'s own ledger decides whether that is a second use at this counter' }),
      },
      { additionalProperties: false, description: 'the coupon is this terminal\'s now: commit it and show ACCEPTED' },
    ),
    Type.Object(
      { ...Time, result: Type.Literal('already-redeemed'), ctiHex: CtiHex, first: RedemptionRef },
      { additionalProperties: false, description: 'another terminal redeemed it first: ALREADY_REDEEMED with that branch and time' },
    ),
    Type.Object(
      { ...Time, result: Type.Literal('revoked'), ctiHex: CtiHex, revokedAt: UnixMs },
      { additionalProperties: false, description: 'refunded or cancelled: REVOKED (and add it to the local revocation list)' },
    ),
    Type.Object(
      { ...Time, result: Type.Literal('unknown'), ctiHex: CtiHex },
      { additionalProperties: false, description: 'this platform never issued this coupon to this terminal\'s merchant' },
    ),
    Type.Object(
      { ...Time, result: Type.Literal('refused'), ctiHex: CtiHex, ...Refused },
      { additionalProperties: false, description: 'the claim itself is wrong (clock, coupon facts): not accepted' },
    ),
  ],
  { description: 'one of five results, by `result`' },
);
export type ClaimResponse = Static<typeof ClaimResponse>;
export type ClaimResult = ClaimResponse['result'];

// ---- POST /v1/terminal/redemptions ----

export const RedeemRecord = Type.Object(
  {
    kind: Type.Literal('redeem'),
    ...CouponFacts,
    scannedAt: ScannedAt,
    offline: Type.Boolean({ description: 'accepted without an online claim (offline mode, or online-preferred without an answer in time)' }),
  },
  { additionalProperties: false, description: 'a redemption from the kiosk\'s ledger' },
);
export type RedeemRecord = Static<typeof RedeemRecord>;

export const ReverseRecord = Type.Object(
  {
    kind: Type.Literal('reverse'),
    ...CouponFacts,
    scannedAt: Type.Integer({ minimum: 0, description: 'the scan time of the redemption this undoes (as in its redeem record)' }),
    reversedAt: Type.Integer({ minimum: 0, description: 'when the cashier reversed it, kiosk time, Unix ms' }),
  },
  { additionalProperties: false, description: 'a compensating entry: undoes this terminal\'s redemption of the coupon within the merchant\'s reversal window' },
);
export type ReverseRecord = Static<typeof ReverseRecord>;

export const UploadRecord = Type.Union([RedeemRecord, ReverseRecord]);
export type UploadRecord = Static<typeof UploadRecord>;

export const UploadRequest = Type.Object(
  { records: Type.Array(UploadRecord, { minItems: 1, maxItems: UPLOAD_MAX_RECORDS, description: 'in ledger order: a reverse after the redeem it undoes' }) },
  { additionalProperties: false },
);
export type UploadRequest = Static<typeof UploadRequest>;

const Kind = Type.Union([Type.Literal('redeem'), Type.Literal('reverse')]);
const Echo = { kind: Kind, ctiHex: CtiHex };

export const UploadResult = Type.Union(
  [
    Type.Object({ result: Type.Literal('recorded'), ...Echo }, { additionalProperties: false, description: 'stored now (a reverse: the redemption is undone and the coupon free again): mark it uploaded' }),
    Type.Object({ result: Type.Literal('duplicate'), ...Echo }, { additionalProperties: false, description: 'the platform had it already from this terminal (a retry, a claim, a USB batch): mark it uploaded' }),
    Type.Object(
      { result: Type.Literal('conflict'), ...Echo, first: RedemptionRef },
      { additionalProperties: false, description: 'another terminal\'s redemption of this coupon reached the platform first: kept as a conflict; mark it uploaded, list and show the conflict' },
    ),
    Type.Object({ result: Type.Literal('unknown'), ...Echo }, { additionalProperties: false, description: 'not a coupon this platform issued to this merchant: permanent rejection, keep and show' }),
    Type.Object(
      { result: Type.Literal('revoked'), ...Echo, revokedAt: UnixMs },
      { additionalProperties: false, description: 'scanned after the coupon was revoked: not counted; permanent rejection, keep and show' },
    ),
    Type.Object({ result: Type.Literal('refused'), ...Echo, ...Refused }, { additionalProperties: false, description: 'refused with a code: permanent rejection, keep and show' }),
  ],
  { description: 'one of six results, by `result`' },
);
export type UploadResult = Static<typeof UploadResult>;
export type UploadResultName = UploadResult['result'];

export const UploadResponse = Type.Object(
  { ...Time, results: Type.Array(UploadResult, { description: 'results[i] answers records[i]' }) },
  { additionalProperties: false },
);
export type UploadResponse = Static<typeof UploadResponse>;
