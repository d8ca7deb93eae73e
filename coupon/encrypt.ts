/**
 * The COSE_Encrypt layer (COUPON-FORMAT.md §3) on its own: any plaintext,
 * sealed to one recipient key (X25519: ECDH-ES + HKDF-256 direct; RSA:
 * RSAES-OAEP with SHA-256 wrapping a random CEK), AES-GCM with the
 * Enc_structure as AAD. The coupon encrypts its COSE_Sign1 with it;
 * protocol/sealed.ts delivers merchant keys with it.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { Tagged, encode, type CborMap, type CborValue } from './cbor.js';
import { COSE_KEY, HEADER, IV_BYTES, TAG_ENCRYPT, contentKeyBytes, ecdhEsCek, encStructure, oaepWrap, sealGcm } from './cose.js';
import { kindOf, rawPublicKey } from './keys.js';
import { ALG, type ContentAlg } from './types.js';

export interface Recipient {
  kid: Uint8Array;
  publicKey: KeyObject;
}

export interface EncryptOptions {
  /** default A256GCM */
  contentAlg?: ContentAlg;
  /** source of the IV and (RSA suite) the CEK; crypto.randomBytes by default */
  rng?: (n: number) => Uint8Array;
  /** more labels for the body's protected header (e.g. 3, content type), beside 1 (alg) */
  protectedHeader?: CborMap;
}

const defaultRng = (n: number): Uint8Array => randomBytes(n);

/** The recipient structure and the CEK, by the recipient key's type (§3). */
function recipientFor(recipient: Recipient, contentAlg: ContentAlg, rng: (n: number) => Uint8Array) {
  if (kindOf(recipient.publicKey) === 'rsa') {
    const rProtected = encode(new Map([[HEADER.alg, ALG.RSAES_OAEP_SHA256]]));
    const cek = rng(contentKeyBytes(contentAlg));
    const rUnprotected: CborMap = new Map([[HEADER.kid, recipient.kid]]);
    return { cek, structure: [rProtected, rUnprotected, oaepWrap(recipient.publicKey, cek)] };
  }
  const rProtected = encode(new Map([[HEADER.alg, ALG.ECDH_ES_HKDF_256]]));
  const ephemeral = generateKeyPairSync('x25519');
  const cek = ecdhEsCek(ephemeral.privateKey, recipient.publicKey, contentAlg, rProtected);
  const coseKey: CborMap = new Map<number, CborValue>([
    [COSE_KEY.kty, COSE_KEY.OKP],
    [COSE_KEY.crv, COSE_KEY.X25519],
    [COSE_KEY.x, rawPublicKey(ephemeral.publicKey)],
  ]);
  const rUnprotected: CborMap = new Map<number, CborValue>([[HEADER.ephemeralKey, coseKey], [HEADER.kid, recipient.kid]]);
  return { cek, structure: [rProtected, rUnprotected, new Uint8Array(0)] };
}

/** The tagged COSE_Encrypt bytes of `plaintext` for `recipient`. */
export function encryptTo(plaintext: Uint8Array, recipient: Recipient, opts: EncryptOptions = {}): Uint8Array {
  const contentAlg = opts.contentAlg ?? ALG.A256GCM;
  const rng = opts.rng ?? defaultRng;
  const header: CborMap = new Map(opts.protectedHeader);
  header.set(HEADER.alg, contentAlg);
  const bodyProtected = encode(header);
  const iv = rng(IV_BYTES);
  const { cek, structure } = recipientFor(recipient, contentAlg, rng);
  const ciphertext = sealGcm(contentAlg, cek, iv, plaintext, encStructure(bodyProtected));
  const unprotected: CborMap = new Map([[HEADER.iv, iv]]);
  return encode(new Tagged(TAG_ENCRYPT, [bodyProtected, unprotected, ciphertext, [structure]]));
}
