/**
 * The platform side: claims → COSE_Sign1 → COSE_Encrypt → Base64
 * (COUPON-FORMAT.md §1–§5). Sign first, then encrypt (patent [0034]).
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { encodeBase64 } from './base64.js';
import { Tagged, encode, type CborMap, type CborValue } from './cbor.js';
import { claimsToMap } from './claims.js';
import {
  COSE_KEY,
  HEADER,
  IV_BYTES,
  TAG_ENCRYPT,
  TAG_SIGN1,
  contentKeyBytes,
  ecdhEsCek,
  encStructure,
  oaepWrap,
  sealGcm,
  sigStructure,
  signBytes,
} from './cose.js';
import { kindOf, rawPublicKey } from './keys.js';
import { ALG, type Claims, type ContentAlg, type SignAlg } from './types.js';

export interface Signer {
  kid: Uint8Array;
  alg: SignAlg;
  privateKey: KeyObject;
}

export interface Recipient {
  kid: Uint8Array;
  publicKey: KeyObject;
}

export interface IssueOptions {
  signer: Signer;
  recipient: Recipient;
  /** default A256GCM */
  contentAlg?: ContentAlg;
  /** source of the IV and (RSA suite) the CEK; crypto.randomBytes by default */
  rng?: (n: number) => Uint8Array;
}

const defaultRng = (n: number): Uint8Array => randomBytes(n);

/** The tagged COSE_Sign1 bytes over the claims. */
export function signClaims(claims: Claims, signer: Signer): Uint8Array {
  const payload = encode(claimsToMap(claims));
  const bodyProtected = encode(new Map<number, CborValue>([[HEADER.alg, signer.alg], [HEADER.kid, signer.kid]]));
  const signature = signBytes(signer.alg, signer.privateKey, sigStructure(bodyProtected, payload));
  return encode(new Tagged(TAG_SIGN1, [bodyProtected, new Map(), payload, signature]));
}

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

/** The COSE_Encrypt bytes (tag 96 included) of a coupon. */
export function encodeCoupon(claims: Claims, opts: IssueOptions): Uint8Array {
  const contentAlg = opts.contentAlg ?? ALG.A256GCM;
  const rng = opts.rng ?? defaultRng;
  const sign1 = signClaims(claims, opts.signer);
  const bodyProtected = encode(new Map([[HEADER.alg, contentAlg]]));
  const iv = rng(IV_BYTES);
  const { cek, structure } = recipientFor(opts.recipient, contentAlg, rng);
  const ciphertext = sealGcm(contentAlg, cek, iv, sign1, encStructure(bodyProtected));
  const unprotected: CborMap = new Map([[HEADER.iv, iv]]);
  return encode(new Tagged(TAG_ENCRYPT, [bodyProtected, unprotected, ciphertext, [structure]]));
}

/** The coupon text (Base64, standard alphabet, padded): starts with "2G". */
export function issueCoupon(claims: Claims, opts: IssueOptions): string {
  return encodeBase64(encodeCoupon(claims, opts));
}
