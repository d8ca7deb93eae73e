/**
 * The platform side: claims → COSE_Sign1 → COSE_Encrypt → Base64
 * (COUPON-FORMAT.md §1–§5). Sign first, then encrypt (patent [0034]).
 */
import type { KeyObject } from 'node:crypto';
import { encodeBase64 } from './base64.js';
import { Tagged, encode, type CborValue } from './cbor.js';
import { claimsToMap } from './claims.js';
import { HEADER, TAG_SIGN1, sigStructure, signBytes } from './cose.js';
import { encryptTo, type Recipient } from './encrypt.js';
import type { Claims, ContentAlg, SignAlg } from './types.js';

export type { Recipient } from './encrypt.js';

export interface Signer {
  kid: Uint8Array;
  alg: SignAlg;
  privateKey: KeyObject;
}

export interface IssueOptions {
  signer: Signer;
  recipient: Recipient;
  /** default A256GCM */
  contentAlg?: ContentAlg;
  /** source of the IV and (RSA suite) the CEK; crypto.randomBytes by default */
  rng?: (n: number) => Uint8Array;
}

/** The tagged COSE_Sign1 bytes over the claims. */
export function signClaims(claims: Claims, signer: Signer): Uint8Array {
  const payload = encode(claimsToMap(claims));
  const bodyProtected = encode(new Map<number, CborValue>([[HEADER.alg, signer.alg], [HEADER.kid, signer.kid]]));
  const signature = signBytes(signer.alg, signer.privateKey, sigStructure(bodyProtected, payload));
  return encode(new Tagged(TAG_SIGN1, [bodyProtected, new Map(), payload, signature]));
}

/** The COSE_Encrypt bytes (tag 96 included) of a coupon. */
export function encodeCoupon(claims: Claims, opts: IssueOptions): Uint8Array {
  return encryptTo(signClaims(claims, opts.signer), opts.recipient, opts);
}

/** The coupon text (Base64, standard alphabet, padded): starts with "2G". */
export function issueCoupon(claims: Claims, opts: IssueOptions): string {
  return encodeBase64(encodeCoupon(claims, opts));
}
