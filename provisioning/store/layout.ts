/**
 * Where the key store keeps each enrolled platform (docs/architecture.md):
 *
 *   HOME/platforms/                     0700
 *     <platformId>/                     0700, one enrolled platform
 *       enrollment.json                 0600: ids, URL, TLS policy, kids, sync settings, state (record.ts)
 *       trust-bundle.json               0600: the newest signed trust bundle and its seq
 *       terminal.pem                    0600: the terminal's Ed25519 signing key, PKCS#8 PEM
 *       wrap.pem                        0600: the terminal's X25519 wrap key, PKCS#8 PEM
 *       keys/                           0700
 *         merchant-<kid>.pem            0600: the merchant keys this platform delivered
 *     .generation                       changes with every write: running kiosks reload their keys
 *     .lock                             held by the one process writing the store
 *     .staging-<token hash>/            an enrollment in progress (its new keys, kept for a retry)
 *     .removing-<id>-<random>/          a platform being removed
 *
 * Names starting with a dot are never platforms. With systemd's
 * LoadCredentialEncrypted=, the private keys may live in
 * $CREDENTIALS_DIRECTORY instead, under the credential names below.
 */
import path from 'node:path';

export const PLATFORMS_DIR = 'platforms';
export const ENROLLMENT_FILE = 'enrollment.json';
export const TRUST_FILE = 'trust-bundle.json';
export const TERMINAL_KEY_FILE = 'terminal.pem';
export const WRAP_KEY_FILE = 'wrap.pem';
export const MERCHANT_KEYS_DIR = 'keys';
export const GENERATION_FILE = '.generation';
export const LOCK_FILE = '.lock';
export const STAGING_PREFIX = '.staging-';
export const REMOVING_PREFIX = '.removing-';

/** A platform id is a directory name and part of credential names: the platform's own id rule. */
export const PLATFORM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MERCHANT_FILE = /^merchant-([0-9a-f]{16})\.pem$/;

export function platformsDir(home: string): string {
  return path.join(path.resolve(home), PLATFORMS_DIR);
}

export function platformDir(home: string, platformId: string): string {
  if (!PLATFORM_ID.test(platformId)) throw new TypeError(`'${platformId.slice(0, 80)}' is not a platform id`);
  return path.join(platformsDir(home), platformId);
}

export function merchantKeyFile(dir: string, kid: string): string {
  return path.join(dir, MERCHANT_KEYS_DIR, `merchant-${kid}.pem`);
}

/** The kid a merchant key file is named for, or undefined for another name. */
export function merchantFileKid(name: string): string | undefined {
  return MERCHANT_FILE.exec(name)?.[1];
}

/**
 * systemd credential names (LoadCredentialEncrypted=NAME:FILE) under which
 * the service finds the keys in $CREDENTIALS_DIRECTORY.
 */
export const CREDENTIAL = {
  terminal: (platformId: string) => `coupon-kiosk.${platformId}.terminal`,
  wrap: (platformId: string) => `coupon-kiosk.${platformId}.wrap`,
  merchant: (platformId: string, kid: string) => `coupon-kiosk.${platformId}.merchant-${kid}`,
  /** a merchant key of trust.json's platforms (PEM import) */
  legacyMerchant: (kid: string) => `coupon-kiosk.merchant-${kid}`,
} as const;

/** The kid of a platform's merchant-key credential name, or undefined. */
export function merchantCredentialKid(platformId: string, name: string): string | undefined {
  const prefix = `coupon-kiosk.${platformId}.merchant-`;
  if (!name.startsWith(prefix)) return undefined;
  const kid = name.slice(prefix.length);
  return /^[0-9a-f]{16}$/.test(kid) ? kid : undefined;
}

/** The kid of a legacy merchant-key credential name, or undefined. */
export function legacyCredentialKid(name: string): string | undefined {
  return /^coupon-kiosk\.merchant-([0-9a-f]{16})$/.exec(name)?.[1];
}
