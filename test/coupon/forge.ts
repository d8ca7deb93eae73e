/**
 * A test-only coupon assembler with every header under the test's control, so
 * that each reason test can break exactly one thing. Built from the same COSE
 * primitives as the issuer; `forge*` with no overrides yields a VALID coupon
 * (checked in verify-reasons.test.ts), so a rejection is due to the override.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { Tagged, encode, type CborMap, type CborValue } from '../../coupon/cbor.js';
import {
  COSE_KEY,
  HEADER,
  contentKeyBytes,
  ecdhEsCek,
  encStructure,
  oaepWrap,
  sealGcm,
  sigStructure,
  signBytes,
} from '../../coupon/cose.js';
import { rawPublicKey } from '../../coupon/keys.js';
import { ALG, type ContentAlg, type SignAlg } from '../../coupon/types.js';
import type { Party } from './fixtures.js';

export interface Sign1Spec {
  payload: Uint8Array;
  signerKid: Uint8Array;
  alg: SignAlg;
  privateKey: KeyObject;
  /** replaces {1: alg, 4: kid} */
  protectedMap?: CborMap;
  unprotected?: CborMap;
  tag?: number | null;
  /** changes the signature after signing */
  mangleSignature?: (sig: Uint8Array) => Uint8Array;
  /** the alg used to sign, when the header says something else */
  signAs?: (data: Uint8Array) => Uint8Array;
}

export function forgeSign1(s: Sign1Spec): Uint8Array {
  const protectedMap = s.protectedMap ?? new Map<number, CborValue>([[HEADER.alg, s.alg], [HEADER.kid, s.signerKid]]);
  const bodyProtected = encode(protectedMap);
  const toSign = sigStructure(bodyProtected, s.payload);
  let sig = s.signAs ? s.signAs(toSign) : signBytes(s.alg, s.privateKey, toSign);
  if (s.mangleSignature) sig = s.mangleSignature(sig);
  const body = [bodyProtected, s.unprotected ?? new Map(), s.payload, sig];
  return encode(s.tag === null ? body : new Tagged(s.tag ?? 18, body));
}

export interface EncryptSpec {
  plaintext: Uint8Array;
  to: Party;
  /** the kid written in the recipient (default: the key's own) */
  kid?: Uint8Array;
  contentAlg?: ContentAlg;
  /** the content alg written in the header, when different */
  contentAlgHeader?: number;
  recipientAlgHeader?: number;
  algIn?: 'protected' | 'unprotected' | 'both' | 'none';
  unprotected?: CborMap;
  extraRecipients?: CborValue[];
  ephemeralKey?: (key: CborMap) => CborMap;
  tag?: number | null;
  mangleCiphertext?: (ct: Uint8Array) => Uint8Array;
  mangleWrappedKey?: (wrapped: Uint8Array) => Uint8Array;
}

export function forgeEncrypt(s: EncryptSpec): Uint8Array {
  const contentAlg = s.contentAlg ?? ALG.A256GCM;
  const rsa = s.to.pair.publicKey.asymmetricKeyType === 'rsa';
  const alg = s.recipientAlgHeader ?? (rsa ? ALG.RSAES_OAEP_SHA256 : ALG.ECDH_ES_HKDF_256);
  const algIn = s.algIn ?? 'protected';
  const rProtected = algIn === 'protected' || algIn === 'both' ? encode(new Map([[HEADER.alg, alg]])) : new Uint8Array(0);
  const rUnprotected: CborMap = new Map([[HEADER.kid, s.kid ?? s.to.kid]]);
  if (algIn === 'unprotected' || algIn === 'both') rUnprotected.set(HEADER.alg, alg);
  let cek: Uint8Array;
  let rCiphertext: Uint8Array = new Uint8Array(0);
  if (rsa) {
    cek = randomBytes(contentKeyBytes(contentAlg));
    rCiphertext = oaepWrap(s.to.pair.publicKey, cek);
    if (s.mangleWrappedKey) rCiphertext = s.mangleWrappedKey(rCiphertext);
  } else {
    const eph = generateKeyPairSync('x25519');
    cek = ecdhEsCek(eph.privateKey, s.to.pair.publicKey, contentAlg, rProtected);
    let key: CborMap = new Map<number, CborValue>([
      [COSE_KEY.kty, COSE_KEY.OKP],
      [COSE_KEY.crv, COSE_KEY.X25519],
      [COSE_KEY.x, rawPublicKey(eph.publicKey)],
    ]);
    if (s.ephemeralKey) key = s.ephemeralKey(key);
    rUnprotected.set(HEADER.ephemeralKey, key);
  }
  const bodyProtected = encode(new Map([[HEADER.alg, s.contentAlgHeader ?? contentAlg]]));
  const iv = randomBytes(12);
  let ct = sealGcm(contentAlg, cek, iv, s.plaintext, encStructure(bodyProtected));
  if (s.mangleCiphertext) ct = s.mangleCiphertext(ct);
  const recipients = [[rProtected, rUnprotected, rCiphertext], ...(s.extraRecipients ?? [])];
  const body = [bodyProtected, s.unprotected ?? new Map([[HEADER.iv, iv]]), ct, recipients];
  return encode(s.tag === null ? body : new Tagged(s.tag ?? 96, body));
}

export function toText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
