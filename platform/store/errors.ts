/**
 * The store's coded errors: the service maps each code to an HTTP status
 * (platform/service/errors.ts); messages name the value at fault and never
 * hold a token or key.
 */
export const STORE_ERROR_CODES = {
  MIGRATION_INVALID: 'a migration file is misnamed or out of sequence',
  MIGRATION_CHANGED: 'an applied migration file was edited',
  SCHEMA_TOO_NEW: 'the database was migrated by a newer program',
  PLATFORM_ID_MISMATCH: '--platform-id differs from the id this database already has',
  NOT_INITIALISED: 'the platform has no identity or signing key yet',
  MERCHANT_EXISTS: 'a merchant with this id exists',
  UNKNOWN_MERCHANT: 'no merchant with this id',
  BRANCH_EXISTS: 'this merchant already has a branch with this id',
  UNKNOWN_BRANCH: 'the merchant has no branch with this id',
  UNKNOWN_TERMINAL: 'no terminal with this id or key',
  TERMINAL_KEY_EXISTS: 'a terminal with this signing key is already enrolled',
  TOKEN_UNKNOWN: 'no enrollment token with this value',
  TOKEN_USED: 'the enrollment token was used already',
  TOKEN_EXPIRED: 'the enrollment token has expired',
  UNKNOWN_COUPON: 'no coupon with this serial was issued here',
  ALREADY_REVOKED: 'the coupon was revoked already',
  COUPON_EXISTS: 'a coupon with this serial exists',
  REPLAYED_NONCE: 'the request nonce was used before',
  NO_MERCHANT_KEY: 'the merchant has no current key',
  BATCH_CHAIN_BROKEN: 'a USB batch does not follow the batch accepted before it from this terminal',
  BATCH_REPLAYED: 'a USB batch with this number was imported already, with another manifest',
} as const;

export type StoreErrorCode = keyof typeof STORE_ERROR_CODES;

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
