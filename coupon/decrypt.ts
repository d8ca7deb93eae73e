/**
 * Opening the COSE_Encrypt layer with this terminal's merchant key
 * (COUPON-FORMAT.md §3): find the key by kid, recover the CEK by the
 * recipient's suite, then AES-GCM with the Enc_structure as AAD.
 * decryptWithKey is the same layer for any key (protocol/sealed.ts).
 */
import { contentKeyBytes, ecdhEsCek, encStructure, oaepUnwrap, openGcm, x25519PublicFromRaw } from './cose.js';
import type { EncryptParts } from './cose-parse.js';
import type { Keyring, PreparedMerchantKey } from './keyring.js';
import { toHex } from './keys.js';
import { Rejection, malformed, shortHex } from './rejection.js';
import { ALG } from './types.js';

export interface Decrypted {
  plaintext: Uint8Array;
  merchantKid: string;
}

export function decryptContent(parts: EncryptParts, keyring: Keyring): Decrypted {
  const { recipient } = parts;
  const kidHex = toHex(recipient.kid);
  const key = keyring.preparedMerchantKey(kidHex);
  if (key === undefined) {
    throw new Rejection('UNKNOWN_MERCHANT_KEY', `recipient kid ${shortHex(recipient.kid)} is not one of this terminal's merchant keys`);
  }
  return { plaintext: decryptWithKey(parts, key), merchantKid: kidHex };
}

/** Opens the layer with `key`, the one the recipient kid names; a Rejection (DECRYPTION_FAILED, MALFORMED) otherwise. */
export function decryptWithKey(parts: EncryptParts, key: PreparedMerchantKey): Uint8Array {
  const { kidHex } = key;
  const suite = parts.recipient.alg === ALG.ECDH_ES_HKDF_256 ? 'x25519' : 'rsa';
  if (key.kind !== suite) {
    throw new Rejection('DECRYPTION_FAILED', `recipient alg ${parts.recipient.alg} needs an ${suite} key, but merchant key ${kidHex} is ${key.kind}`);
  }
  const cek = recoverCek(parts, key);
  try {
    return openGcm(parts.contentAlg, cek, parts.iv, parts.ciphertext, encStructure(parts.bodyProtected));
  } catch {
    throw new Rejection('DECRYPTION_FAILED', `AES-GCM authentication failed with merchant key ${kidHex}`);
  }
}

function recoverCek(parts: EncryptParts, key: PreparedMerchantKey): Uint8Array {
  const { recipient, contentAlg } = parts;
  if (recipient.ephemeralX !== undefined) {
    try {
      return ecdhEsCek(key.privateKey, x25519PublicFromRaw(recipient.ephemeralX), contentAlg, recipient.rProtected);
    } catch {
      throw new Rejection('DECRYPTION_FAILED', `X25519 key agreement failed with merchant key ${key.kidHex}`);
    }
  }
  if (recipient.wrappedKey.length !== key.modulusBytes) {
    throw malformed(`RSA-OAEP recipient ciphertext is ${recipient.wrappedKey.length} bytes, the key's modulus ${key.modulusBytes}`);
  }
  let cek: Uint8Array;
  try {
    cek = oaepUnwrap(key.privateKey, recipient.wrappedKey);
  } catch {
    throw new Rejection('DECRYPTION_FAILED', `RSA-OAEP decryption failed with merchant key ${key.kidHex}`);
  }
  if (cek.length !== contentKeyBytes(contentAlg)) {
    throw new Rejection('DECRYPTION_FAILED', `RSA-OAEP content key is ${cek.length} bytes, alg ${contentAlg} needs ${contentKeyBytes(contentAlg)}`);
  }
  return cek;
}
