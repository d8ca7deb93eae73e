/**
 * Column lists with camelCase aliases: rows come back in the Store's shapes
 * without a mapping layer, the same on PGlite and pg.
 */
export const SIGNING_KEY = `kid, alg, public_spki AS "publicSpki", private_pkcs8 AS "privatePkcs8", not_before AS "notBefore", not_after AS "notAfter"`;

export const SETTINGS_COLUMNS = {
  claimTimeoutMs: 'claim_timeout_ms',
  offlineMaxCount: 'offline_max_count',
  offlineMaxAgeS: 'offline_max_age_s',
  offlineMaxQuantity: 'offline_max_quantity',
  revocationMaxAgeS: 'revocation_max_age_s',
  reversalWindowS: 'reversal_window_s',
} as const;

export const MERCHANT = `merchant_id AS "merchantId", name, claim_mode AS "claimMode", created_at AS "createdAt", ${Object.entries(SETTINGS_COLUMNS)
  .map(([k, c]) => `${c} AS "${k}"`)
  .join(', ')}`;

export const MERCHANT_KEY = `kid, merchant_id AS "merchantId", kind, public_spki AS "publicSpki", private_pkcs8 AS "privatePkcs8", created_at AS "createdAt", retired_at AS "retiredAt"`;

export const BRANCH = `merchant_id AS "merchantId", branch_id AS "branchId", name, created_at AS "createdAt"`;

export const TERMINAL = `terminal_id AS "terminalId", merchant_id AS "merchantId", branch_id AS "branchId", sign_kid AS "signKid", sign_public AS "signPublic",
  wrap_kid AS "wrapKid", wrap_public AS "wrapPublic", name, software, enrolled_via AS "enrolledVia", enabled, disabled_at AS "disabledAt", created_at AS "createdAt"`;

export const COUPON = `cti_hex AS "ctiHex", merchant_id AS "merchantId", product, quantity, consumer, title, iat, nbf, exp,
  merchant_kid AS "merchantKid", signer_kid AS "signerKid", issued_at AS "issuedAt"`;

export const REVOCATION = `seq, cti_hex AS "ctiHex", merchant_id AS "merchantId", reason, revoked_at AS "revokedAt"`;

export const REDEMPTION = `redemption_id AS "redemptionId", cti_hex AS "ctiHex", terminal_id AS "terminalId", merchant_id AS "merchantId", branch_id AS "branchId",
  scanned_at AS "scannedAt", received_at AS "receivedAt", offline, source, reversed_at AS "reversedAt", reversal_received_at AS "reversalReceivedAt"`;
