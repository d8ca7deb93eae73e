/**
 * Why an enrollment, an import, a refresh or a removal did not happen. One
 * list (docs/operations.md explains each); the message names the value at
 * fault and what to do. A refusal leaves the home as it was.
 */
export const PROVISION_CODES = [
  /** the platform does not know the enrollment token */
  'TOKEN_UNKNOWN',
  /** the token was used by another device (or by this kiosk with keys it no longer has) */
  'TOKEN_USED',
  /** the token expired before it was used */
  'TOKEN_EXPIRED',
  /** another refusal of the enrollment by the platform (its code is in the message) */
  'ENROLL_REFUSED',
  /** the answering platform does not sign with the expected key: a man in the middle, or the wrong URL */
  'PLATFORM_KEY_MISMATCH',
  /** the answer or bundle does not check out: signatures, documents, kids, sealed keys */
  'ENROLLMENT_INVALID',
  /** this platform (or this URL) is enrolled in the home already */
  'ALREADY_ENROLLED',
  /** the platform id is in trust.json (PEM import) and would be enrolled too, or a key would be on two platforms */
  'PLATFORM_CONFLICT',
  /** another provisioning command holds the home's key store */
  'STORE_BUSY',
  /** the provisioning bundle file is not one, or does not fit its documents */
  'BUNDLE_INVALID',
  /** the bundle's passphrase is wrong */
  'WRONG_PASSPHRASE',
  /** no enrolled platform by that id */
  'NOT_ENROLLED',
  /** removal refused: redemptions of that platform reached it neither by upload nor by USB export */
  'UNSENT_REDEMPTIONS',
  /** the platform has no URL to refresh from (imported from a bundle without --url) */
  'NO_URL',
] as const;
export type ProvisionCode = (typeof PROVISION_CODES)[number];

export class ProvisionError extends Error {
  override readonly name = 'ProvisionError';
  constructor(
    readonly code: ProvisionCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
