/**
 * Key delivery to a device key (docs/protocol.md "Key delivery"): the
 * coupon's own COSE_Encrypt layer (coupon/encrypt.ts), to an X25519 or RSA
 * public key, with the content type in the body's protected header (label 3),
 * so it is authenticated as AAD and a delivery is never read as something
 * else:
 *
 *   96([ << {1: A256GCM, 3: "<content type>"} >>, {5: iv}, ciphertext,
 *        [ recipient as in a coupon ] ])
 *
 * A coupon (no label 3) is refused here, and a sealed delivery (label 3) is
 * refused by the coupon verifier.
 */
import type { KeyObject } from 'node:crypto';
import { CborError, Tagged, decode } from '../coupon/cbor.js';
import { HEADER, TAG_ENCRYPT } from '../coupon/cose.js';
import { parseEncrypt, type EncryptParts } from '../coupon/cose-parse.js';
import { decryptWithKey } from '../coupon/decrypt.js';
import { encryptTo } from '../coupon/encrypt.js';
import { prepareMerchantKey } from '../coupon/keyring.js';
import { KeyError, kidOf, merchantKeyFrom, toHex } from '../coupon/keys.js';
import { Rejection, malformed } from '../coupon/rejection.js';
import { CONTENT_TYPE } from './signed-document.js';

export const SEALED_CODES = ['MALFORMED', 'WRONG_CONTENT_TYPE', 'UNKNOWN_RECIPIENT', 'DECRYPTION_FAILED'] as const;
export type SealedCode = (typeof SEALED_CODES)[number];

export interface SealRecipient {
  /** hex kid of the recipient key */
  kid: string;
  /** X25519 or RSA (≥ 2048 bits) public key */
  publicKey: KeyObject;
}

/** The recipient's private key by hex kid (a one-time transport key, a terminal wrap key). */
export type PrivateKeyLookup = (kid: string) => KeyObject | undefined;

export type OpenResult = { ok: true; plaintext: Uint8Array; kid: string } | { ok: false; code: SealedCode; message: string };

/** The tagged COSE_Encrypt bytes of `plaintext` for the recipient key; KeyError for a key that cannot receive. */
export function sealTo(plaintext: Uint8Array, recipient: SealRecipient, contentType: string): Uint8Array {
  if (contentType.length === 0) throw new TypeError('a sealed delivery needs a content type');
  const kid = kidOf(recipient.publicKey);
  if (toHex(kid) !== recipient.kid) throw new KeyError('KID_MISMATCH', `recipient declared as ${recipient.kid}, but its key's kid is ${toHex(kid)}`);
  const kind = recipient.publicKey.asymmetricKeyType;
  if (kind !== 'x25519' && kind !== 'rsa') throw new KeyError('UNSUPPORTED_KEY_TYPE', `a sealed delivery goes to an X25519 or RSA key, not ${String(kind)}`);
  return encryptTo(plaintext, { kid, publicKey: recipient.publicKey }, { protectedHeader: new Map([[CONTENT_TYPE, contentType]]) });
}

/** Opens a sealed delivery of the expected content type with the recipient's private key. Never throws. */
export function openSealed(bytes: Uint8Array, expectedContentType: string, lookupPrivateKey: PrivateKeyLookup): OpenResult {
  let parts: EncryptParts;
  try {
    parts = parseSealed(bytes);
  } catch (err) {
    if (err instanceof Rejection || err instanceof CborError) return { ok: false, code: 'MALFORMED', message: err.message };
    throw err;
  }
  const contentType = parts.bodyHeader.get(CONTENT_TYPE);
  if (typeof contentType !== 'string') return { ok: false, code: 'MALFORMED', message: 'no content type (label 3) in the protected header: not a sealed delivery (a coupon?)' };
  if (contentType !== expectedContentType) {
    return { ok: false, code: 'WRONG_CONTENT_TYPE', message: `content type is '${contentType.slice(0, 80)}', expected '${expectedContentType}'` };
  }
  const kid = toHex(parts.recipient.kid);
  const privateKey = lookupPrivateKey(kid);
  if (privateKey === undefined) return { ok: false, code: 'UNKNOWN_RECIPIENT', message: `sealed to key ${kid.slice(0, 32)}, which this device does not hold` };
  try {
    const key = prepareMerchantKey(merchantKeyFrom(privateKey));
    if (key.kidHex !== kid) return { ok: false, code: 'DECRYPTION_FAILED', message: `the key found for ${kid} is ${key.kidHex}` };
    const plaintext = decryptWithKey(parts, key);
    return { ok: true, plaintext: new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength), kid };
  } catch (err) {
    if (err instanceof Rejection || err instanceof KeyError) return { ok: false, code: 'DECRYPTION_FAILED', message: `cannot open with key ${kid}: ${err.message}` };
    throw err;
  }
}

function parseSealed(bytes: Uint8Array): EncryptParts {
  const outer = decode(bytes);
  if (!(outer instanceof Tagged) || outer.tag !== TAG_ENCRYPT) throw malformed(`not a sealed delivery (tag ${TAG_ENCRYPT} COSE_Encrypt)`);
  return parseEncrypt(outer.value, [HEADER.alg, CONTENT_TYPE]);
}
