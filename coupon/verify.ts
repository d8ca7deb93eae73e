/**
 * The terminal side: coupon text → verdict, with the checks in the order of
 * COUPON-FORMAT.md §6, layer by layer (the inner layer exists only after
 * decryption). Pure: time is an input. Never throws; never VALID without a
 * verified signature.
 */
import { Base64Error, decodeBase64 } from './base64.js';
import { CborError, Tagged, decode, peekTag } from './cbor.js';
import { ClaimsError, claimsFromMap } from './claims.js';
import { TAG_ENCRYPT, TAG_SIGN1, sigStructure, verifyBytes } from './cose.js';
import { checkSignAlg, parseEncrypt, parseSign1, type Sign1Parts } from './cose-parse.js';
import { formatSerial } from './crockford.js';
import { decryptContent } from './decrypt.js';
import type { Keyring, PlatformKeyEntry } from './keyring.js';
import { toHex } from './keys.js';
import { Rejection, formatTime, malformed, shortHex } from './rejection.js';
import type { Claims, VerifyResult } from './types.js';

export function verifyCoupon(text: string, keyring: Keyring, nowSeconds: number): VerifyResult {
  try {
    if (!Number.isFinite(nowSeconds)) throw new Error(`now is not a finite number: ${String(nowSeconds)}`);
    return verifyOrThrow(text, keyring, nowSeconds);
  } catch (err) {
    if (err instanceof Rejection) {
      const out = { ok: false as const, reason: err.reason, message: err.message };
      return err.claims === undefined ? out : { ...out, claims: err.claims, serial: formatSerial(err.claims.cti) };
    }
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: 'MALFORMED', message: `internal error while verifying: ${detail}` };
  }
}

function verifyOrThrow(text: string, keyring: Keyring, now: number): VerifyResult {
  const bytes = textToBytes(text);
  const outer = decodeStrict(bytes, 'coupon');
  if (!(outer instanceof Tagged) || outer.tag !== TAG_ENCRYPT) throw new Rejection('NOT_A_COUPON', 'not a tag-96 COSE_Encrypt');
  const parts = parseEncrypt(outer.value);
  const { plaintext, merchantKid } = decryptContent(parts, keyring);
  const inner = decodeStrict(plaintext, 'decrypted content');
  if (!(inner instanceof Tagged) || inner.tag !== TAG_SIGN1) throw malformed('decrypted content is not a tagged COSE_Sign1 (tag 18)');
  const sign1 = parseSign1(inner.value);
  const claims = claimsOf(sign1.payload);
  checkSignAlg(sign1.alg);
  const signerKid = toHex(sign1.kid);
  const entry = signingKey(sign1, signerKid, keyring, now);
  checkSignature(sign1, signerKid, entry);
  checkClaims(claims, entry, now);
  const serial = formatSerial(claims.cti);
  return {
    ok: true,
    reason: 'VALID',
    message: `valid coupon ${serial} from platform '${entry.platform.platformId}'`,
    claims,
    serial,
    signerKid,
    merchantKid,
  };
}

function textToBytes(text: string): Uint8Array {
  if (typeof text !== 'string') throw new Rejection('NOT_A_COUPON', 'not text');
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(text);
  } catch (err) {
    if (err instanceof Base64Error) throw new Rejection('NOT_A_COUPON', `not Base64: ${err.message}`);
    throw err;
  }
  // Classify by the first head alone: anything not opening with tag 96 is not a coupon at all.
  if (peekTag(bytes) !== TAG_ENCRYPT) throw new Rejection('NOT_A_COUPON', 'not a tag-96 COSE_Encrypt');
  return bytes;
}

function decodeStrict(bytes: Uint8Array, what: string) {
  try {
    return decode(bytes);
  } catch (err) {
    if (err instanceof CborError) throw malformed(`${what} is not valid CBOR: ${err.message}`);
    throw err;
  }
}

function claimsOf(payload: Uint8Array): Claims {
  try {
    return claimsFromMap(decode(payload));
  } catch (err) {
    if (err instanceof CborError) throw malformed(`claims are not valid CBOR: ${err.message}`);
    if (err instanceof ClaimsError) throw malformed(err.message);
    throw err;
  }
}

/** The trust-store entry for the signer kid, if the key's own validity window includes now. */
function signingKey(sign1: Sign1Parts, kidHex: string, keyring: Keyring, now: number): PlatformKeyEntry {
  const entry = keyring.platformKeyByHex(kidHex);
  if (entry === undefined) throw new Rejection('UNKNOWN_PLATFORM_KEY', `signer kid ${shortHex(sign1.kid)} is not in the trust store`);
  const { notBefore, notAfter } = entry.key;
  const owner = `signer kid ${kidHex} of platform '${entry.platform.platformId}'`;
  if (notBefore !== undefined && now < notBefore) {
    throw new Rejection('UNKNOWN_PLATFORM_KEY', `${owner} is valid only from ${formatTime(notBefore)}`);
  }
  if (notAfter !== undefined && now >= notAfter) {
    throw new Rejection('UNKNOWN_PLATFORM_KEY', `${owner} was valid only until ${formatTime(notAfter)}`);
  }
  return entry;
}

function checkSignature(sign1: Sign1Parts, kidHex: string, entry: PlatformKeyEntry): void {
  if (sign1.alg !== entry.key.alg) {
    throw new Rejection('BAD_SIGNATURE', `signed with alg ${sign1.alg}, but signer kid ${kidHex} is an alg ${entry.key.alg} key`);
  }
  let good = false;
  try {
    good = verifyBytes(entry.key.alg, entry.key.publicKey, sigStructure(sign1.bodyProtected, sign1.payload), sign1.signature);
  } catch {
    good = false; // e.g. a signature of the wrong length for the key
  }
  if (!good) throw new Rejection('BAD_SIGNATURE', `the signature does not verify with signer kid ${kidHex}`);
}

/** The checks that need signed claims; the claims go with the verdict from here on. */
function checkClaims(claims: Claims, entry: PlatformKeyEntry, now: number): void {
  const { platformId, merchantId } = entry.platform;
  if (claims.iss !== platformId) {
    const msg = `iss '${claims.iss}' is not '${platformId}', the platform that owns the signing key`;
    throw new Rejection('WRONG_PLATFORM', msg, claims);
  }
  if (claims.aud !== merchantId) {
    const msg = `aud '${claims.aud}' is not '${merchantId}', this merchant's id at '${platformId}'`;
    throw new Rejection('WRONG_MERCHANT', msg, claims);
  }
  if (claims.nbf !== undefined && now < claims.nbf) throw new Rejection('NOT_YET_VALID', `not valid before ${formatTime(claims.nbf)}`, claims);
  if (now >= claims.exp) throw new Rejection('EXPIRED', `expired at ${formatTime(claims.exp)}`, claims);
}
