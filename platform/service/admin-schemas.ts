/**
 * Bodies of the admin API (back office and `coupon-platform` admin
 * commands). Not part of the kiosk contract, so they live here rather than in
 * protocol/. Times are ISO 8601 strings.
 */
import { Type, type Static } from 'typebox';
import { ClaimMode, CtiHex, Id, Kid, SyncLimits, SyncSettings, TerminalId } from '../../protocol/api.js';

const Iso = Type.String({ format: 'date-time' });
const IsoOrNull = Type.Union([Iso, Type.Null()]);
const Name = Type.String({ maxLength: 200 });
export const Serial = Type.String({ minLength: 13, maxLength: 80, description: 'the serial as the kiosk shows it: Crockford Base32 in groups of four (7Q2K-9XHD-…)' });

export const MerchantParams = Type.Object({ merchantId: Id('merchant id') }, { additionalProperties: false });
export const TerminalParams = Type.Object({ terminalId: TerminalId }, { additionalProperties: false });

export const MerchantKeyKind = Type.Union([Type.Literal('x25519'), Type.Literal('rsa')]);

export const AddMerchantBody = Type.Object(
  {
    merchantId: Id('merchant id at this platform (the coupons\' aud)'),
    name: Type.Optional(Name),
    claimMode: Type.Optional(ClaimMode),
    keyKind: Type.Optional(MerchantKeyKind),
    settings: Type.Optional(Type.Partial(SyncLimits)),
  },
  { additionalProperties: false },
);
export type AddMerchantBody = Static<typeof AddMerchantBody>;

export const UpdateMerchantBody = Type.Object(
  { claimMode: Type.Optional(ClaimMode), settings: Type.Optional(Type.Partial(SyncLimits)) },
  { additionalProperties: false },
);

export const MerchantKeyView = Type.Object(
  { kid: Kid, kind: MerchantKeyKind, createdAt: Iso, retiredAt: IsoOrNull, live: Type.Boolean({ description: 'terminals must hold it' }) },
  { additionalProperties: false },
);

export const MerchantView = Type.Object(
  { merchantId: Type.String(), name: Type.String(), sync: SyncSettings, keys: Type.Array(MerchantKeyView), createdAt: Iso },
  { additionalProperties: false },
);

export const RotateMerchantKeyBody = Type.Object({ kind: Type.Optional(MerchantKeyKind) }, { additionalProperties: false });

export const AddBranchBody = Type.Object({ branchId: Id('branch id within the merchant'), name: Type.Optional(Name) }, { additionalProperties: false });
export const BranchView = Type.Object({ merchantId: Type.String(), branchId: Type.String(), name: Type.String(), createdAt: Iso }, { additionalProperties: false });

export const TokenBody = Type.Object(
  { merchantId: Id('merchant id'), branchId: Id('branch id'), ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'default 900' })) },
  { additionalProperties: false },
);
export const TokenView = Type.Object(
  {
    token: Type.String({ description: 'shown once; only its SHA-256 is kept' }),
    expiresAt: Iso,
    merchantId: Type.String(),
    branchId: Type.String(),
    platformId: Type.String(),
    platformKid: Kid,
  },
  { additionalProperties: false },
);

export const IssueBody = Type.Object(
  {
    aud: Id('merchant id'),
    sub: Type.String({ minLength: 1, maxLength: 200, description: 'consumer id' }),
    product: Type.String({ minLength: 1, maxLength: 200 }),
    quantity: Type.Integer({ minimum: 1, maximum: 10000 }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 48, description: 'at most 48 UTF-8 bytes' })),
    iat: Type.Optional(Iso),
    nbf: Type.Optional(Iso),
    exp: Type.Optional(Iso),
  },
  { additionalProperties: false },
);
export type IssueBody = Static<typeof IssueBody>;

export const CouponView = Type.Object(
  { text: Type.String(), serial: Type.String(), ctiHex: CtiHex, aud: Type.String(), iat: Iso, exp: Iso, signerKid: Kid, merchantKid: Kid },
  { additionalProperties: false },
);

export const RevokeBody = Type.Object({ serial: Serial, reason: Type.Optional(Name) }, { additionalProperties: false });
export const RevocationView = Type.Object(
  { serial: Type.String(), ctiHex: CtiHex, merchantId: Type.String(), seq: Type.Integer(), reason: Type.String(), revokedAt: Iso },
  { additionalProperties: false },
);

export const RotateKeysBody = Type.Object(
  {
    overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 366 * 24 * 3600, description: 'how long the old keys stay valid (default 30 days)' })),
    kind: Type.Optional(Type.Union([Type.Literal('ed25519'), Type.Literal('rsa')])),
  },
  { additionalProperties: false },
);
export const SigningKeyView = Type.Object(
  { kid: Kid, alg: Type.Union([Type.Literal('EdDSA'), Type.Literal('PS256')]), notBefore: Iso, notAfter: IsoOrNull },
  { additionalProperties: false },
);
export const PlatformView = Type.Object(
  { platformId: Type.String(), trustSeq: Type.Integer(), keys: Type.Array(SigningKeyView) },
  { additionalProperties: false },
);

export const TerminalView = Type.Object(
  {
    terminalId: Type.String(), merchantId: Type.String(), branchId: Type.String(), name: Type.String(), software: Type.String(),
    signKid: Kid, wrapKid: Kid, enabled: Type.Boolean(), disabledAt: IsoOrNull, enrolledVia: Type.String(), createdAt: Iso,
  },
  { additionalProperties: false },
);
export const TerminalsQuery = Type.Object({ merchantId: Type.Optional(Id('merchant id')) }, { additionalProperties: false });

export const PageQuery = Type.Object(
  { after: Type.Integer({ minimum: 0, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 5000, default: 1000 }) },
  { additionalProperties: false },
);

const RedemptionFields = {
  serial: Type.String(), ctiHex: CtiHex, terminalId: Type.String(), branchId: Type.String(),
  scannedAt: Iso, receivedAt: Iso, offline: Type.Boolean(), source: Type.String(),
};
export const RedemptionView = Type.Object(
  { ...RedemptionFields, merchantId: Type.String(), reversedAt: IsoOrNull, reversalReceivedAt: IsoOrNull },
  { additionalProperties: false },
);
export const ConflictView = Type.Object(
  {
    seq: Type.Integer({ description: 'the cursor: grows in commit order' }),
    ...RedemptionFields,
    promoted: Type.Boolean({ description: 'this scan became the live redemption when the one it lost to was reversed' }),
    reversedAt: Type.Union([Iso, Type.Null()], { description: 'its own terminal reversed this scan (it is never promoted)' }),
    winner: Type.Object({ terminalId: Type.String(), branchId: Type.String(), scannedAt: Iso, receivedAt: Iso }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export const RedemptionPage = Type.Object({ items: Type.Array(RedemptionView), cursor: Type.Integer() }, { additionalProperties: false });
export const ConflictPage = Type.Object({ items: Type.Array(ConflictView), cursor: Type.Integer() }, { additionalProperties: false });

export const BundleBody = Type.Object(
  {
    merchantId: Id('merchant id'),
    branchId: Id('branch id'),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'the terminal\'s name (default: "provisioned till")' })),
    passphrase: Type.String({ minLength: 1, maxLength: 1024, description: 'seals the keys; at least 12 characters; tell it to the technician apart from the file' }),
  },
  { additionalProperties: false },
);

/** A USB batch to import: its two files, standard Base64. */
export const UsbBatchBody = Type.Object(
  {
    manifest: Type.String({ minLength: 1, maxLength: 64 * 1024, description: 'the .manifest file, standard Base64' }),
    data: Type.String({ minLength: 1, description: 'the .jsonl data file it names, standard Base64' }),
  },
  { additionalProperties: false },
);

export const UsbBatchReport = Type.Object(
  {
    status: Type.Union([Type.Literal('imported'), Type.Literal('already-imported')], { description: 'already-imported: this very batch was imported before; nothing changed' }),
    terminalId: Type.String(),
    sequence: Type.Integer(),
    manifestSha256: Type.String(),
    importedAt: Iso,
    count: Type.Integer({ description: 'records in the batch' }),
    accepted: Type.Integer({ description: 'recorded now' }),
    duplicates: Type.Integer({ description: 'the platform had them already (an upload, a claim, an earlier batch)' }),
    conflicts: Type.Integer({ description: 'another terminal had redeemed the coupon first: kept as conflicts' }),
    refused: Type.Integer({ description: 'unknown, revoked or refused records' }),
    records: Type.Array(
      Type.Object(
        {
          n: Type.Integer(), serial: Type.String(), ctiHex: CtiHex,
          result: Type.Union([Type.Literal('conflict'), Type.Literal('unknown'), Type.Literal('revoked'), Type.Literal('refused')]),
          code: Type.Optional(Type.String()), message: Type.String(),
        },
        { additionalProperties: false },
      ),
      { description: 'one note per conflict or refusal' },
    ),
  },
  { additionalProperties: false },
);
