/**
 * trust.json: the platforms this merchant works with and their signing public
 * keys (COUPON-FORMAT.md §4). Plain JSON so that a technician can read it:
 *
 *   { "platforms": [ { "id": "P", "merchantId": "M",
 *       "keys": [ { "kid": "8 bytes hex", "alg": -8, "publicKey": "SPKI PEM",
 *                   "notBefore": 0, "notAfter": 0 } ] } ] }
 *
 * Loading checks every kid against its key, so a hand-edited file cannot bind
 * a key to the wrong id.
 */
import type { KeyObject } from 'node:crypto';
import type { PlatformKey, PlatformTrust, SignAlg } from '../coupon/types.js';
import { kidOf, publicKeyFromPem, signAlgOf, toHex } from '../coupon/index.js';
import { trustJson } from '../protocol/generated/validators.js';
import { validatorOf } from '../protocol/validation.js';
import { ConfigError } from './config.js';
import { HomeError } from './home-error.js';
import type { TrustJson, TrustKeyJson } from './trust-store-schema.js';

export type { TrustJson, TrustKeyJson, TrustPlatformJson } from './trust-store-schema.js';

const validator = validatorOf<TrustJson>(trustJson);

/** Check the JSON shape, reporting every problem at once. The result is a mutable copy (provisioning edits it). */
export function parseTrustJson(raw: unknown): TrustJson {
  const result = validator.validate(raw);
  if (!result.ok) throw new ConfigError(result.issues, 'trust.json');
  return structuredClone(result.value) as TrustJson;
}

/** Turn checked JSON into the keyring's PlatformTrust list: parse each PEM and check its kid. */
export function toPlatformTrust(trust: TrustJson): PlatformTrust[] {
  return trust.platforms.map((p) => ({
    platformId: p.id,
    merchantId: p.merchantId,
    keys: p.keys.map((k) => toPlatformKey(p.id, k)),
  }));
}

function toPlatformKey(platformId: string, k: TrustKeyJson): PlatformKey {
  if (k.publicKey.includes('PRIVATE KEY')) {
    throw new HomeError('KEY_INVALID', `trust.json: platform '${platformId}' key ${k.kid} is a PRIVATE key; trust.json holds public keys only`);
  }
  let publicKey;
  try {
    publicKey = publicKeyFromPem(k.publicKey);
  } catch (err) {
    throw new HomeError('KEY_INVALID', `trust.json: platform '${platformId}' key ${k.kid}: publicKey is not a valid SPKI PEM`, { cause: err });
  }
  const actual = toHex(kidOf(publicKey));
  if (actual !== k.kid) {
    throw new HomeError('KID_MISMATCH', `trust.json: platform '${platformId}' key says kid ${k.kid} but the key's kid is ${actual}`);
  }
  const expected = signAlgOrUndefined(publicKey);
  if (expected !== k.alg) {
    throw new HomeError('KEY_INVALID', `trust.json: platform '${platformId}' key ${k.kid}: alg ${k.alg} does not fit a ${publicKey.asymmetricKeyType} key`);
  }
  const out: PlatformKey = { kid: Buffer.from(k.kid, 'hex'), alg: k.alg, publicKey };
  if (k.notBefore !== undefined) out.notBefore = k.notBefore;
  if (k.notAfter !== undefined) out.notAfter = k.notAfter;
  return out;
}

function signAlgOrUndefined(publicKey: KeyObject): SignAlg | undefined {
  try {
    return signAlgOf(publicKey);
  } catch {
    return undefined;
  }
}
