/** The coupon format (COUPON-FORMAT.md): pure, no I/O; time is an input. */
export * from './types.js';
export * from './reasons.js';
export { CborError, Tagged, decode as decodeCbor, encode as encodeCbor, type CborValue, type CborMap } from './cbor.js';
export { Base64Error, MAX_TEXT_CHARS, decodeBase64, encodeBase64 } from './base64.js';
export { SerialError, crockfordBase32, formatSerial, parseSerial, type SerialErrorCode } from './crockford.js';
export { CLAIM, ClaimsError, claimsFromMap, claimsToMap, claimsToJson, type ClaimsJson } from './claims.js';
export {
  KeyError,
  generateKeyPair,
  kidOf,
  kindOf,
  merchantKeyFrom,
  signAlgOf,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyFromPem,
  publicKeyToPem,
  toHex,
  type KeyKind,
  type KeyPair,
} from './keys.js';
export { Keyring, type KeyringInit, type PlatformKeyEntry } from './keyring.js';
export { encodeCoupon, issueCoupon, signClaims, type IssueOptions, type Recipient, type Signer } from './issue.js';
export { verifyCoupon } from './verify.js';
