/**
 * The HTTP API's shared request and response bodies (docs/protocol.md), as
 * TypeBox schemas: the platform validates and serialises with them, the kiosk
 * checks answers with them, and the OpenAPI document is generated from them.
 * Terminal-protocol times are Unix milliseconds; public keys and sealed or
 * signed blobs are base64url without padding.
 */
import { Type, type Static } from 'typebox';

export const API_VERSION = 'v1';

/** base64url without padding (RFC 4648 §5) */
export const Base64Url = (opts: { minLength?: number; maxLength?: number; description?: string } = {}) =>
  Type.String({ pattern: '^[A-Za-z0-9_-]*$', ...opts });

/** A raw 32-byte Ed25519 or X25519 public key: 43 base64url characters. */
export const RawPublicKey = (description: string) => Base64Url({ minLength: 43, maxLength: 43, description });

export const Kid = Type.String({ pattern: '^[0-9a-f]{16}$', description: 'key id: first 8 bytes of SHA-256 over the public key, hex' });

export const Id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description });

export const TerminalId = Type.String({ pattern: '^t-[0-9a-f]{16}$', description: 'terminal id, assigned by the platform' });

export const CtiHex = Type.String({ pattern: '^([0-9a-f]{2}){8,32}$', description: "the coupon's cti, lowercase hex" });

export const UnixMs = Type.Integer({ minimum: 0, description: 'Unix time in milliseconds' });

/** Every error answer: `code` is stable (docs/platform.md lists them), `message` names the bad value. */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String(),
    error: Type.String(),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const HealthResponse = Type.Object(
  {
    status: Type.Literal('ok'),
    platformId: Type.String(),
    database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
    time: UnixMs,
  },
  { additionalProperties: false },
);
export type HealthResponse = Static<typeof HealthResponse>;

export const ClaimMode = Type.Union([Type.Literal('offline'), Type.Literal('online-preferred'), Type.Literal('online-required')]);
export type ClaimMode = Static<typeof ClaimMode>;

/**
 * A merchant's store-and-forward limits (issue 9), set on the platform
 * (`coupon-platform merchant set`), delivered in the enrollment document and
 * in every state answer; the kiosk applies the newest it has.
 */
export const SyncLimits = Type.Object(
  {
    claimTimeoutMs: Type.Integer({ minimum: 100, maximum: 60000, description: 'online claim: how long the kiosk waits for the answer before treating the platform as unreachable, ms (default 1500)' }),
    offlineMaxCount: Type.Integer({ minimum: 0, maximum: 1000000, description: 'online-preferred: most offline redemptions not yet uploaded; at the limit the next unanswered claim is "offline limit reached" (default 200; 0: never offline)' }),
    offlineMaxAgeS: Type.Integer({ minimum: 0, maximum: 31536000, description: 'online-preferred: no offline acceptance while the oldest offline redemption not yet uploaded is older, seconds (default 86400)' }),
    offlineMaxQuantity: Type.Integer({ minimum: 0, maximum: 10000, description: 'online-preferred: a coupon whose quantity is above this is not accepted offline (default 10)' }),
    revocationMaxAgeS: Type.Integer({ minimum: 60, maximum: 31536000, description: 'the status line warns when the last successful revocation pull is older, seconds (default 86400)' }),
    reversalWindowS: Type.Integer({ minimum: 0, maximum: 86400, description: 'a redemption may be reversed this long after its scan (and the platform accepts the reversal this long after it received the redemption), seconds (default 600; 0: no reversals)' }),
  },
  { additionalProperties: false },
);
export type SyncLimits = Static<typeof SyncLimits>;

/** How a terminal of this merchant syncs; delivered at enrollment and in every state answer. */
export const SyncSettings = Type.Object({ claimMode: ClaimMode, ...SyncLimits.properties }, { additionalProperties: false });
export type SyncSettings = Static<typeof SyncSettings>;

export const EnrollRequest = Type.Object(
  {
    token: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$', description: 'the one-time enrollment token' }),
    terminalKey: RawPublicKey('the new terminal signing key, Ed25519; its kid signs this request'),
    wrapKey: RawPublicKey('the terminal wrap key, X25519: later merchant keys are sealed to it'),
    transportKey: RawPublicKey('a one-time X25519 key: the merchant keys of this answer are sealed to it'),
    device: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 100 }),
        software: Type.String({ maxLength: 100 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type EnrollRequest = Static<typeof EnrollRequest>;

export const EnrollResponse = Type.Object(
  {
    enrollment: Type.String({ description: 'base64 of the signed enrollment document (COSE_Sign)' }),
    trust: Type.String({ description: 'base64 of the newest signed trust bundle (COSE_Sign)' }),
    merchantKeys: Type.String({ description: 'base64 of the merchant private keys sealed to transportKey (COSE_Encrypt)' }),
    time: UnixMs,
  },
  { additionalProperties: false },
);
export type EnrollResponse = Static<typeof EnrollResponse>;

/** One redemption as the platform recorded it: where, when scanned (kiosk time), when received (platform time). */
export const RedemptionRef = Type.Object(
  {
    terminalId: TerminalId,
    branchId: Type.String({ description: 'the branch of that terminal' }),
    scannedAt: UnixMs,
    receivedAt: Type.Integer({ minimum: 0, description: 'when the platform received it, platform time, Unix ms' }),
    offline: Type.Boolean({ description: 'redeemed without an online claim' }),
  },
  { additionalProperties: false },
);
export type RedemptionRef = Static<typeof RedemptionRef>;

/**
 * The same coupon redeemed at two terminals (offline, or by USB batch):
 * `first` counts, `second` lost. Listed to both terminals in state answers,
 * by `seq` (a cursor that grows in commit order).
 */
export const ConflictNotice = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    ctiHex: CtiHex,
    first: RedemptionRef,
    second: RedemptionRef,
  },
  { additionalProperties: false },
);
export type ConflictNotice = Static<typeof ConflictNotice>;

export const TerminalStateQuery = Type.Object(
  {
    trustSeq: Type.Optional(Type.Integer({ minimum: 0, description: "the sequence number of the terminal's newest trust bundle" })),
    conflictsAfter: Type.Optional(Type.Integer({ minimum: 0, description: 'ask for the conflicts this terminal is part of with seq > this (0: all); pass `conflictsCursor` next time' })),
    merchantKids: Type.Optional(Type.String({ pattern: '^([0-9a-f]{16}(,[0-9a-f]{16}){0,31})?$', description: 'the merchant key kids the terminal holds, comma-separated' })),
  },
  { additionalProperties: false },
);
export type TerminalStateQuery = Static<typeof TerminalStateQuery>;

export const TerminalStateResponse = Type.Object(
  {
    time: UnixMs,
    terminalId: TerminalId,
    enabled: Type.Boolean(),
    sync: SyncSettings,
    trustSeq: Type.Integer({ minimum: 1, description: 'the newest trust bundle on the platform' }),
    trust: Type.Optional(Type.String({ description: 'base64 of that bundle, when newer than the terminal said it has' })),
    merchantKids: Type.Array(Kid, { description: 'the merchant keys the terminal should hold; others may be deleted' }),
    merchantKeys: Type.Optional(Type.String({ description: 'base64 COSE_Encrypt to the wrap key of the keys in merchantKids the terminal lacks' })),
    conflicts: Type.Optional(Type.Array(ConflictNotice, { description: 'only when `conflictsAfter` was asked: conflicts this terminal is part of (either side), in seq order, at most 100' })),
    conflictsCursor: Type.Optional(Type.Integer({ minimum: 0, description: 'with `conflicts`: pass as `conflictsAfter` next time' })),
    conflictsMore: Type.Optional(Type.Boolean({ description: 'with `conflicts`: the page was full, ask again at once' })),
  },
  { additionalProperties: false },
);
export type TerminalStateResponse = Static<typeof TerminalStateResponse>;

export const RevocationsQuery = Type.Object(
  {
    after: Type.Integer({ minimum: 0, default: 0, description: 'cursor from the previous answer (0: from the start)' }),
    limit: Type.Integer({ minimum: 1, maximum: 5000, default: 1000 }),
  },
  { additionalProperties: false },
);
export type RevocationsQuery = Static<typeof RevocationsQuery>;

export const RevocationsResponse = Type.Object(
  {
    time: UnixMs,
    revocations: Type.Array(
      Type.Object({ seq: Type.Integer({ minimum: 1 }), ctiHex: CtiHex, revokedAt: UnixMs }, { additionalProperties: false }),
    ),
    cursor: Type.Integer({ minimum: 0, description: 'pass as `after` next time' }),
    more: Type.Boolean({ description: 'true when the limit cut the list: ask again at once' }),
  },
  { additionalProperties: false },
);
export type RevocationsResponse = Static<typeof RevocationsResponse>;
