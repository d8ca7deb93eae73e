/**
 * The `Store` port: everything the platform service keeps, as intentions
 * ("consume this enrollment token and register this terminal"), not tables.
 * One SQL implementation (sql-store.ts) serves PGlite and PostgreSQL.
 *
 * Contract:
 * - Every method is atomic: it either happens whole or not at all, also
 *   when several service processes call it at once on one database.
 * - Refusals are StoreErrors with a code (errors.ts); anything else thrown is
 *   a fault of the database or of the program.
 * - Nothing is cached in memory: a second process sees every change at once.
 * - Times are Dates; serials are ctiHex; kids are 16 lowercase hex digits.
 * - Private keys go in and out as PKCS#8 PEM only through the methods that
 *   name them (signing keys, merchant keys); listings hold public data.
 */
export type ClaimMode = 'offline' | 'online-preferred' | 'online-required';
export type KeyAlgName = 'EdDSA' | 'PS256';
export type MerchantKeyKind = 'x25519' | 'rsa';
export type RedemptionSource = 'claim' | 'upload' | 'batch';

export interface SigningKeyRecord {
  kid: string;
  alg: KeyAlgName;
  publicSpki: Uint8Array;
  privatePkcs8: string;
  notBefore: Date;
  notAfter: Date | null;
}

export interface TrustBundleRecord {
  seq: number;
  document: Uint8Array;
  issuedAt: Date;
}

/** Builds the signed trust bundle `seq` of `platformId` over `keys` (the service signs; the store only keeps it). */
export type BundleBuilder = (seq: number, keys: SigningKeyRecord[], platformId: string) => Uint8Array;

export interface SyncSettings {
  claimTimeoutMs: number;
  offlineMaxCount: number;
  offlineMaxAgeS: number;
  offlineMaxQuantity: number;
  revocationMaxAgeS: number;
  reversalWindowS: number;
}

export interface Merchant {
  merchantId: string;
  name: string;
  claimMode: ClaimMode;
  settings: SyncSettings;
  createdAt: Date;
}

export interface MerchantKeyRecord {
  kid: string;
  merchantId: string;
  kind: MerchantKeyKind;
  publicSpki: Uint8Array;
  privatePkcs8: string;
  createdAt: Date;
  retiredAt: Date | null;
}

export type NewMerchantKey = Pick<MerchantKeyRecord, 'kid' | 'kind' | 'publicSpki' | 'privatePkcs8'>;

export interface Branch {
  merchantId: string;
  branchId: string;
  name: string;
  createdAt: Date;
}

export interface NewTerminal {
  merchantId: string;
  branchId: string;
  signKid: string;
  /** raw Ed25519 public key, 32 bytes */
  signPublic: Uint8Array;
  wrapKid: string;
  /** raw X25519 public key, 32 bytes */
  wrapPublic: Uint8Array;
  name: string;
  software: string;
}

export interface Terminal extends NewTerminal {
  terminalId: string;
  enrolledVia: 'token' | 'bundle';
  enabled: boolean;
  disabledAt: Date | null;
  createdAt: Date;
}

export interface NewCoupon {
  ctiHex: string;
  merchantId: string;
  product: string;
  quantity: number;
  consumer: string;
  title: string | null;
  iat: Date;
  nbf: Date | null;
  exp: Date;
  merchantKid: string;
  signerKid: string;
}

export interface Revocation {
  seq: number;
  ctiHex: string;
  merchantId: string;
  reason: string;
  revokedAt: Date;
}

export interface NewRedemption {
  ctiHex: string;
  terminalId: string;
  scannedAt: Date;
  offline: boolean;
  source: RedemptionSource;
}

export interface Redemption extends NewRedemption {
  redemptionId: number;
  merchantId: string;
  branchId: string;
  receivedAt: Date;
  /** the kiosk's time of the reversal (a compensating entry; the row stays) */
  reversedAt: Date | null;
  /** when the platform received the reversal */
  reversalReceivedAt: Date | null;
}

/** The terminal a sync call is for, as authenticated (the service read it from the store). */
export type TerminalRef = Pick<Terminal, 'terminalId' | 'merchantId' | 'branchId'>;

/** What the kiosk read from the coupon, and when it scanned it (kiosk time). */
export interface CouponFacts {
  ctiHex: string;
  product: string;
  quantity: number;
  consumer: string;
  scannedAt: Date;
}

/** One record of a kiosk's outbox: a redemption, or the reversal of one (`scannedAt` is the redemption's). */
export type SyncRecord = (CouponFacts & { kind: 'redeem'; offline: boolean }) | (CouponFacts & { kind: 'reverse'; reversedAt: Date });

/** Per-record refusals (the same list as protocol/sync.ts RefusalCode). */
export type RefusalCode = 'SCAN_IN_FUTURE' | 'SCAN_BEFORE_ISSUE' | 'COUPON_MISMATCH' | 'REVERSAL_WINDOW_PASSED' | 'REVERSAL_BEFORE_SCAN' | 'REDEEMED_ELSEWHERE' | 'SCAN_REVERSED';

type Rejection = { outcome: 'unknown' } | { outcome: 'revoked'; revokedAt: Date } | { outcome: 'refused'; code: RefusalCode; message: string };

/** What became of one submitted record. For a reverse, `redemption` is the reversed row. */
export type RecordOutcome =
  | { outcome: 'recorded'; redemption: Redemption }
  | { outcome: 'duplicate'; redemption: Redemption }
  | { outcome: 'conflict'; winner: Redemption }
  | Rejection;

/** An online claim's answer; `repeated`: this terminal had it already (a rescan or a retried claim). */
export type ClaimOutcome = { outcome: 'claimed'; redemption: Redemption; repeated: boolean } | { outcome: 'already-redeemed'; first: Redemption } | Rejection;

export interface Conflict {
  conflictId: number;
  /** the cursor: grows in commit order */
  seq: number;
  ctiHex: string;
  terminalId: string;
  branchId: string;
  scannedAt: Date;
  receivedAt: Date;
  offline: boolean;
  source: RedemptionSource;
  /** the redemption it lost to (after a promotion: the promoted one) */
  winner: Redemption;
  /** it became the live redemption when its winner was reversed (0003_conflict_promotion.sql) */
  promoted: boolean;
  /** its own terminal reversed this scan: never promoted */
  reversedAt: Date | null;
}

/** A USB batch as verified by the service, to be recorded with its records in one transaction. */
export interface UsbBatch {
  seq: number;
  manifestSha256: Uint8Array;
  prevManifestSha256: Uint8Array | null;
  dataSha256: Uint8Array;
}

export interface UsbBatchRecord extends UsbBatch {
  terminalId: string;
  recordCount: number;
  importedAt: Date;
  accepted: number;
  duplicates: number;
  conflicts: number;
  refused: number;
}

/** The newest batch accepted from a terminal: what its next batch must follow. */
export interface UsbChainHead {
  seq: number;
  manifestSha256: Uint8Array | null;
}

export type BatchImport =
  | { imported: true; batch: UsbBatchRecord; outcomes: RecordOutcome[] }
  /** this manifest was imported before: nothing changed */
  | { imported: false; batch: UsbBatchRecord };

export interface Page<T> {
  items: T[];
  /** pass as `after` for the next page; equal to the input when nothing new */
  cursor: number;
}

export interface Store {
  /** Platform identity, first signing key and trust bundle seq 1, once per database; later calls check the id. */
  initPlatform(opts: { platformId: string | undefined; randomId: () => string; firstKey: () => SigningKeyRecord; bundle: BundleBuilder }): Promise<{ platformId: string; created: boolean }>;
  platformId(): Promise<string>;

  registerAdminToken(sha256: Uint8Array, label: string): Promise<void>;
  isAdminToken(sha256: Uint8Array): Promise<boolean>;

  /** Keys whose window holds `at` (default: the database's now), newest first. */
  validSigningKeys(at?: Date): Promise<SigningKeyRecord[]>;
  allSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Adds `key`, ends every other open key's window at `overlapEnd`, and stores trust bundle seq+1: one transaction. */
  rotateSigningKey(key: SigningKeyRecord, overlapEnd: Date, bundle: BundleBuilder): Promise<TrustBundleRecord>;
  latestTrustBundle(): Promise<TrustBundleRecord>;

  addMerchant(m: { merchantId: string; name: string; claimMode: ClaimMode; settings: Partial<SyncSettings>; key: NewMerchantKey }): Promise<Merchant>;
  merchant(merchantId: string): Promise<Merchant>;
  listMerchants(): Promise<Merchant[]>;
  updateMerchant(merchantId: string, change: { claimMode?: ClaimMode; settings?: Partial<SyncSettings> }): Promise<Merchant>;
  /** The key new coupons are encrypted to (the newest unretired). */
  currentMerchantKey(merchantId: string): Promise<MerchantKeyRecord>;
  /** Every key the merchant ever had, newest first. */
  merchantKeys(merchantId: string): Promise<MerchantKeyRecord[]>;
  /** Current key plus retired keys that unexpired coupons were encrypted to: what a terminal must hold. */
  liveMerchantKeys(merchantId: string): Promise<MerchantKeyRecord[]>;
  /** Adds `key` as current and retires the others: one transaction. */
  rotateMerchantKey(merchantId: string, key: NewMerchantKey): Promise<MerchantKeyRecord>;

  addBranch(b: { merchantId: string; branchId: string; name: string }): Promise<Branch>;
  listBranches(merchantId: string): Promise<Branch[]>;

  createEnrollmentToken(t: { sha256: Uint8Array; merchantId: string; branchId: string; expiresAt: Date }): Promise<void>;
  /**
   * Consumes the token and registers the terminal, or neither (TOKEN_UNKNOWN/USED/EXPIRED, TERMINAL_KEY_EXISTS).
   * The same signing key asking again with its used token gets its terminal again (a lost answer is retried).
   */
  enrollWithToken(sha256: Uint8Array, device: Omit<NewTerminal, 'merchantId' | 'branchId'>): Promise<Terminal>;
  /** Registers a terminal made for an offline provisioning bundle. */
  registerTerminal(t: NewTerminal): Promise<Terminal>;
  terminal(terminalId: string): Promise<Terminal>;
  terminalBySignKid(kid: string): Promise<Terminal | undefined>;
  listTerminals(merchantId?: string): Promise<Terminal[]>;
  setTerminalEnabled(terminalId: string, enabled: boolean): Promise<Terminal>;
  /** Records a request nonce; REPLAYED_NONCE when this terminal used it before. */
  useNonce(terminalId: string, nonce: string, expiresAt: Date): Promise<void>;
  pruneNonces(): Promise<number>;

  /** What issuing a coupon for this merchant needs, in one round trip: the platform id, the newest valid signing key, the merchant's current key. */
  issuingContext(merchantId: string): Promise<{ platformId: string; signer: SigningKeyRecord; merchantKey: MerchantKeyRecord }>;
  registerCoupon(c: NewCoupon): Promise<void>;
  coupon(ctiHex: string): Promise<NewCoupon & { issuedAt: Date }>;
  revoke(ctiHex: string, reason: string): Promise<Revocation>;
  revocationsAfter(merchantId: string, after: number, limit: number): Promise<Page<Revocation>>;

  /**
   * An online claim: the coupon becomes this terminal's unless another
   * terminal's live redemption has it (already-redeemed); claiming what this
   * terminal holds already is `claimed` again (repeated). Writes no conflict.
   * `now` is the platform's time (checks, received_at).
   */
  claim(terminal: TerminalRef, c: CouponFacts, now: Date): Promise<ClaimOutcome>;
  /**
   * A kiosk's outbox records, in order, in one transaction: the first live
   * redemption of a coupon wins; the same scan again (whatever its source) is
   * a duplicate; another terminal's later redemption is a conflict (recorded
   * for both to see); a reverse undoes this terminal's redemption within the
   * merchant's window. One outcome per record, same order.
   */
  recordSync(terminal: TerminalRef, records: SyncRecord[], source: 'upload' | 'batch', now: Date): Promise<RecordOutcome[]>;
  redemptionsAfter(after: number, limit: number): Promise<Page<Redemption>>;
  /** Every conflict, by seq. */
  conflictsAfter(after: number, limit: number): Promise<Page<Conflict>>;
  /** The conflicts a terminal is part of (its scan lost, or its redemption won), by seq. */
  terminalConflictsAfter(terminalId: string, after: number, limit: number): Promise<Page<Conflict>>;

  /** The last batch accepted from this terminal (seq 0 when none). */
  usbChainHead(terminalId: string): Promise<UsbChainHead>;
  /** A batch imported before, by its manifest hash. */
  usbBatchByManifest(manifestSha256: Uint8Array): Promise<UsbBatchRecord | undefined>;
  /**
   * Records a verified batch and its redemptions in one transaction (source
   * `batch`). The chain is a constraint: a batch that does not follow the
   * terminal's head is BATCH_CHAIN_BROKEN; one imported before comes back
   * `imported: false`, changing nothing.
   */
  importUsbBatch(terminal: TerminalRef, batch: UsbBatch, records: SyncRecord[], now: Date): Promise<BatchImport>;

  /** For the health route: the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
