/**
 * The payloads of the signed documents (docs/protocol.md "Signed
 * documents"): their content types and encode/decode helpers (schemas:
 * documents-schema.ts) that validate before writing and after reading. Sign and verify
 * them with signed-document.ts; times are Unix milliseconds, as everywhere in
 * the terminal protocol.
 */
import type { KeyObject } from 'node:crypto';
import { KeyError, kidOf, publicKeyFromPem, publicKeyToPem, signAlgOf, toHex } from '../coupon/keys.js';
import { ALG, type PlatformKey, type SignAlg } from '../coupon/types.js';
import type { Enrollment, TrustBundle, TrustBundleKey } from './documents-schema.js';
import { enrollmentDocument, trustBundle } from './generated/payload-validators.js';
import { jsonReader, type JsonReader } from './payload-reader.js';

export const TRUST_BUNDLE_CONTENT_TYPE = 'application/vnd.coupon-kiosk.trust+json';
export const ENROLLMENT_CONTENT_TYPE = 'application/vnd.coupon-kiosk.enrollment+json';
export const BATCH_MANIFEST_CONTENT_TYPE = 'application/vnd.coupon-kiosk.batch-manifest+json';

export type { Enrollment, TrustBundle, TrustBundleKey } from './documents-schema.js';

export const DOCUMENT_PAYLOAD_CODES = ['INVALID_DOCUMENT', 'BAD_KEY', 'KID_MISMATCH', 'ALG_MISMATCH', 'DUPLICATE_KID', 'BAD_WINDOW'] as const;
export type DocumentPayloadCode = (typeof DOCUMENT_PAYLOAD_CODES)[number];
type Failure = { ok: false; code: DocumentPayloadCode; message: string };

const trustReader = jsonReader<TrustBundle>(() => trustBundle, 'trust bundle');
const enrollmentReader = jsonReader<Enrollment>(() => enrollmentDocument, 'enrollment document');
const ALG_NAMES: Record<SignAlg, TrustBundleKey['alg']> = { [ALG.EdDSA]: 'EdDSA', [ALG.PS256]: 'PS256' };

/** A trust-bundle entry for a platform signing key: its kid, alg and SPKI computed from the key. */
export function bundleKeyOf(publicKey: KeyObject, window: { notBefore?: number; notAfter?: number } = {}): TrustBundleKey {
  return { kid: toHex(kidOf(publicKey)), alg: ALG_NAMES[signAlgOf(publicKey)], publicKey: publicKeyToPem(publicKey), ...window };
}

export function encodeTrustBundle(bundle: TrustBundle): Uint8Array {
  const bytes = encodeChecked(trustReader, bundle);
  const keys = platformKeys(bundle);
  if (!keys.ok) throw new TypeError(keys.message);
  return bytes;
}

/** The bundle and its keys as the coupon verifier's PlatformKeys (validity in Unix seconds). Never throws. */
export function decodeTrustBundle(bytes: Uint8Array): { ok: true; bundle: TrustBundle; keys: PlatformKey[] } | Failure {
  const read = trustReader.read(bytes);
  if (!read.ok) return { ok: false, code: 'INVALID_DOCUMENT', message: read.message };
  const keys = platformKeys(read.value);
  return keys.ok ? { ok: true, bundle: read.value, keys: keys.keys } : keys;
}

export function encodeEnrollment(enrollment: Enrollment): Uint8Array {
  return encodeChecked(enrollmentReader, enrollment);
}

export function decodeEnrollment(bytes: Uint8Array): { ok: true; enrollment: Enrollment } | Failure {
  const read = enrollmentReader.read(bytes);
  return read.ok ? { ok: true, enrollment: read.value } : { ok: false, code: 'INVALID_DOCUMENT', message: read.message };
}

function encodeChecked<T>(reader: JsonReader<T>, value: T): Uint8Array {
  const checked = reader.check(value);
  if (!checked.ok) throw new TypeError(checked.message);
  return new TextEncoder().encode(JSON.stringify(value));
}

/**
 * Each entry's key, checked against its kid and alg. A key valid in
 * [notBefore, notAfter) ms is valid in the seconds s with
 * ceil(notBefore/1000) ≤ s < ceil(notAfter/1000).
 */
function platformKeys(bundle: TrustBundle): { ok: true; keys: PlatformKey[] } | Failure {
  const keys: PlatformKey[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of bundle.keys.entries()) {
    const where = `keys[${i}] (kid ${entry.kid})`;
    if (!entry.publicKey.trimStart().startsWith('-----BEGIN PUBLIC KEY-----')) {
      return { ok: false, code: 'BAD_KEY', message: `${where}: publicKey must be an SPKI PEM (BEGIN PUBLIC KEY), never a private key` };
    }
    let publicKey: KeyObject;
    let alg: SignAlg;
    try {
      publicKey = publicKeyFromPem(entry.publicKey);
      alg = signAlgOf(publicKey);
    } catch (err) {
      if (err instanceof KeyError) return { ok: false, code: 'BAD_KEY', message: `${where}: ${err.message}` };
      throw err;
    }
    const kid = toHex(kidOf(publicKey));
    if (kid !== entry.kid) return { ok: false, code: 'KID_MISMATCH', message: `${where}: the key's kid is ${kid}` };
    if (ALG_NAMES[alg] !== entry.alg) return { ok: false, code: 'ALG_MISMATCH', message: `${where}: alg ${entry.alg} does not fit the key (${ALG_NAMES[alg]})` };
    if (seen.has(kid)) return { ok: false, code: 'DUPLICATE_KID', message: `${where} is listed twice` };
    if (entry.notBefore !== undefined && entry.notAfter !== undefined && entry.notBefore >= entry.notAfter) {
      return { ok: false, code: 'BAD_WINDOW', message: `${where}: notBefore ${entry.notBefore} is not before notAfter ${entry.notAfter}` };
    }
    seen.add(kid);
    keys.push({ kid: kidOf(publicKey), alg, publicKey, ...seconds(entry) });
  }
  return { ok: true, keys };
}

function seconds(entry: TrustBundleKey): { notBefore?: number; notAfter?: number } {
  const out: { notBefore?: number; notAfter?: number } = {};
  if (entry.notBefore !== undefined) out.notBefore = Math.ceil(entry.notBefore / 1000);
  if (entry.notAfter !== undefined) out.notAfter = Math.ceil(entry.notAfter / 1000);
  return out;
}
