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
import { ALG, type PlatformKey, type PlatformTrust, type SignAlg } from '../coupon/types.js';
import { kidOf, publicKeyFromPem, signAlgOf, toHex } from '../coupon/index.js';
import { ConfigError, ConfigReader, checks, isObj, type Obj } from './config-reader.js';
import { HomeError } from './home-error.js';

export interface TrustKeyJson {
  kid: string;
  alg: SignAlg;
  publicKey: string;
  notBefore?: number;
  notAfter?: number;
}

export interface TrustPlatformJson {
  id: string;
  merchantId: string;
  keys: TrustKeyJson[];
}

export interface TrustJson {
  platforms: TrustPlatformJson[];
}

const TIME = checks.int(0, 2 ** 40);

/** Check the JSON shape, reporting every problem at once. */
export function parseTrustJson(raw: unknown): TrustJson {
  const r = new ConfigReader();
  const root: Obj = isObj(raw) ? raw : {};
  if (!isObj(raw)) r.issue('(root)', raw, 'must be a JSON object');
  r.unknownKeys(root, '', ['platforms']);
  const list = Array.isArray(root['platforms']) ? (root['platforms'] as unknown[]) : [];
  if (root['platforms'] !== undefined && !Array.isArray(root['platforms'])) r.issue('platforms', root['platforms'], 'must be an array');
  const platforms = list.map((p, i) => readPlatform(r, p, `platforms[${i}]`));
  if (r.issues.length > 0) throw new ConfigError(r.issues, 'trust.json');
  return { platforms };
}

function readPlatform(r: ConfigReader, p: unknown, path: string): TrustPlatformJson {
  if (!isObj(p)) {
    r.issue(path, p, 'must be an object');
    return { id: '', merchantId: '', keys: [] };
  }
  r.unknownKeys(p, path, ['id', 'merchantId', 'keys']);
  if (p['id'] === undefined) r.issue(`${path}.id`, undefined, 'is required');
  if (p['merchantId'] === undefined) r.issue(`${path}.merchantId`, undefined, 'is required');
  const keys = Array.isArray(p['keys']) ? (p['keys'] as unknown[]) : [];
  if (!Array.isArray(p['keys'])) r.issue(`${path}.keys`, p['keys'], 'must be an array');
  return {
    id: r.field(p, 'id', path, '', checks.text),
    merchantId: r.field(p, 'merchantId', path, '', checks.text),
    keys: keys.map((k, j) => readKey(r, k, `${path}.keys[${j}]`)),
  };
}

function readKey(r: ConfigReader, k: unknown, path: string): TrustKeyJson {
  const key: TrustKeyJson = { kid: '', alg: ALG.EdDSA, publicKey: '' };
  if (!isObj(k)) {
    r.issue(path, k, 'must be an object');
    return key;
  }
  r.unknownKeys(k, path, ['kid', 'alg', 'publicKey', 'notBefore', 'notAfter']);
  for (const req of ['kid', 'alg', 'publicKey']) if (k[req] === undefined) r.issue(`${path}.${req}`, undefined, 'is required');
  key.kid = r.field(k, 'kid', path, '', (v) => (typeof v === 'string' && /^[0-9a-f]{16}$/.test(v) ? undefined : 'must be 16 lowercase hex digits'));
  key.alg = r.field<SignAlg>(k, 'alg', path, ALG.EdDSA, checks.oneOf([ALG.EdDSA, ALG.PS256]));
  key.publicKey = r.field(k, 'publicKey', path, '', checks.text);
  const nb = r.optional<number>(k, 'notBefore', path, TIME);
  const na = r.optional<number>(k, 'notAfter', path, TIME);
  if (nb !== undefined) key.notBefore = nb;
  if (na !== undefined) key.notAfter = na;
  return key;
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
