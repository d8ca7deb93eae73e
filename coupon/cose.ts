/**
 * The COSE pieces this format uses (RFC 9052 structures, RFC 9053/8230/8812
 * algorithms), shared by the issuer and the verifier so that both sides build
 * the very same bytes.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  privateDecrypt,
  publicEncrypt,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { encode } from './cbor.js';
import { ALG, type ContentAlg, type SignAlg } from './types.js';

export const TAG_SIGN1 = 18;
export const TAG_ENCRYPT = 96;

/** Header labels (RFC 9052 §3.1) and the ECDH ephemeral key label (RFC 9053 §6.4.1). */
export const HEADER = { alg: 1, kid: 4, iv: 5, ephemeralKey: -1 } as const;
/** COSE_Key labels and values for an X25519 OKP key (RFC 9053 §7.2). */
export const COSE_KEY = { kty: 1, crv: -1, x: -2, OKP: 1, X25519: 4 } as const;

export const IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const X25519_BYTES = 32;
const EMPTY = new Uint8Array(0);

export function contentKeyBytes(alg: ContentAlg): 16 | 32 {
  return alg === ALG.A128GCM ? 16 : 32;
}

/** RFC 9052 §4.4, with empty external AAD. */
export function sigStructure(bodyProtected: Uint8Array, payload: Uint8Array): Uint8Array {
  return encode(['Signature1', bodyProtected, EMPTY, payload]);
}

/** RFC 9052 §5.3, with empty external AAD. */
export function encStructure(bodyProtected: Uint8Array): Uint8Array {
  return encode(['Encrypt', bodyProtected, EMPTY]);
}

/**
 * RFC 9053 §5.2 COSE_KDF_Context with no PartyU/PartyV identities and no
 * SuppPrivInfo: [alg, [nil,nil,nil], [nil,nil,nil], [keyDataLength, protected]].
 */
export function kdfContext(contentAlg: ContentAlg, rProtected: Uint8Array): Uint8Array {
  const party = [null, null, null];
  return encode([contentAlg, party, party, [contentKeyBytes(contentAlg) * 8, rProtected]]);
}

export function signBytes(alg: SignAlg, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  if (alg === ALG.EdDSA) return sign(null, data, privateKey);
  return sign('sha256', data, pssKey(privateKey));
}

export function verifyBytes(alg: SignAlg, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (alg === ALG.EdDSA) return verify(null, data, publicKey, signature);
  return verify('sha256', data, pssKey(publicKey), signature);
}

/** PS256 (RFC 8230 §2): RSASSA-PSS, SHA-256, MGF1 SHA-256, salt length 32. */
function pssKey(key: KeyObject) {
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
}

/** AES-GCM with a 128-bit tag appended to the ciphertext (RFC 9053 §4.1). */
export function sealGcm(alg: ContentAlg, cek: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const cipher = createCipheriv(gcmName(alg), cek, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Throws when the tag does not verify. */
export function openGcm(alg: ContentAlg, cek: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  const split = sealed.length - GCM_TAG_BYTES;
  const decipher = createDecipheriv(gcmName(alg), cek, iv, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(split));
  return Buffer.concat([decipher.update(sealed.subarray(0, split)), decipher.final()]);
}

function gcmName(alg: ContentAlg): 'aes-128-gcm' | 'aes-256-gcm' {
  return alg === ALG.A128GCM ? 'aes-128-gcm' : 'aes-256-gcm';
}

/**
 * ECDH-ES + HKDF-256 direct (RFC 9053 §6.3.1): CEK = HKDF-SHA-256 with no salt
 * (RFC 5869: a zero-length salt, which HKDF replaces by HashLen zero bytes).
 */
export function ecdhEsCek(privateKey: KeyObject, publicKey: KeyObject, contentAlg: ContentAlg, rProtected: Uint8Array): Uint8Array {
  return hkdfCek(diffieHellman({ privateKey, publicKey }), contentAlg, rProtected);
}

/** The HKDF-SHA-256 step of ECDH-ES + HKDF-256, from the shared secret. */
export function hkdfCek(secret: Uint8Array, contentAlg: ContentAlg, rProtected: Uint8Array): Uint8Array {
  const info = kdfContext(contentAlg, rProtected);
  return new Uint8Array(hkdfSync('sha256', secret, EMPTY, info, contentKeyBytes(contentAlg)));
}

/** JWK import: several times faster than parsing a DER SPKI in Node 20, and this runs per coupon. */
export function x25519PublicFromRaw(x: Uint8Array): KeyObject {
  const b64 = Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64 }, format: 'jwk' });
}

/** RSAES-OAEP with SHA-256 and MGF1 SHA-256, empty label (RFC 8230 §3, alg -41). */
export function oaepWrap(publicKey: KeyObject, cek: Uint8Array): Uint8Array {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
}

export function oaepUnwrap(privateKey: KeyObject, wrapped: Uint8Array): Uint8Array {
  return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped);
}
