/**
 * The payloads of the signed documents (docs/protocol.md "Signed
 * documents"): their content types, TypeBox schemas, and encode/decode
 * helpers that validate before writing and after reading. Sign and verify
 * them with signed-document.ts; times are Unix milliseconds, as everywhere in
 * the terminal protocol.
 */
import type { KeyObject } from 'node:crypto';
import { Type, type Static, type TSchema } from 'typebox';
import { KeyError, kidOf, publicKeyFromPem, publicKeyToPem, signAlgOf, toHex } from '../coupon/keys.js';
import { ALG, type PlatformKey, type SignAlg } from '../coupon/types.js';
import { SyncSettings } from './api.js';
import { payloadReader, type PayloadReader } from './json-payload.js';

export const TRUST_BUNDLE_CONTENT_TYPE = 'application/vnd.coupon-kiosk.trust+json';
export const ENROLLMENT_CONTENT_TYPE = 'application/vnd.coupon-kiosk.enrollment+json';
export const BATCH_MANIFEST_CONTENT_TYPE = 'application/vnd.coupon-kiosk.batch-manifest+json';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Kid = Type.String({ pattern: '^[0-9a-f]{16}$' });
const UnixMs = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000 });

export const TrustBundleKeySchema = Type.Object(
  {
    kid: Kid,
    /** the COSE algorithm name: EdDSA (Ed25519) or PS256 (RSA) */
    alg: Type.Union([Type.Literal('EdDSA'), Type.Literal('PS256')]),
    /** SubjectPublicKeyInfo PEM */
    publicKey: Type.String({ minLength: 1, maxLength: 4096 }),
    /** the key's own validity, Unix ms, [notBefore, notAfter) */
    notBefore: Type.Optional(UnixMs),
    notAfter: Type.Optional(UnixMs),
  },
  { additionalProperties: false },
);

export const TrustBundleSchema = Type.Object(
  {
    platformId: Id,
    /** increases with every bundle of this platform; a kiosk refuses a lower one (no rollback) */
    seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    issuedAt: UnixMs,
    keys: Type.Array(TrustBundleKeySchema, { minItems: 1, maxItems: 16 }),
  },
  { additionalProperties: false },
);

export const EnrollmentSchema = Type.Object(
  {
    platformId: Id,
    merchantId: Id,
    branchId: Id,
    terminalId: Id,
    /** kid of the terminal's Ed25519 signing key (requests, batch manifests) */
    terminalKid: Kid,
    /** kid of the terminal's X25519 wrap key (merchant keys sealed to it later) */
    wrapKid: Kid,
    /** the merchant's claim mode and store-and-forward limits at enrollment (api.ts SyncSettings); state answers carry the newest */
    sync: SyncSettings,
  },
  { additionalProperties: false },
);

export type TrustBundleKey = Static<typeof TrustBundleKeySchema>;
export type TrustBundle = Static<typeof TrustBundleSchema>;
export type Enrollment = Static<typeof EnrollmentSchema>;

export const DOCUMENT_PAYLOAD_CODES = ['INVALID_DOCUMENT', 'BAD_KEY', 'KID_MISMATCH', 'ALG_MISMATCH', 'DUPLICATE_KID', 'BAD_WINDOW'] as const;
export type DocumentPayloadCode = (typeof DOCUMENT_PAYLOAD_CODES)[number];
type Failure = { ok: false; code: DocumentPayloadCode; message: string };

const trustReader = payloadReader(TrustBundleSchema, 'trust bundle');
const enrollmentReader = payloadReader(EnrollmentSchema, 'enrollment document');
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

function encodeChecked<S extends TSchema>(reader: PayloadReader<S>, value: Static<S>): Uint8Array {
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
