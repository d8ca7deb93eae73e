/**
 * The platform's signed documents (docs/protocol.md): the trust bundle and
 * the enrollment document, COSE_Sign with one signature per signing key whose
 * window holds now — so a kiosk that trusts any of them accepts the
 * document, which is what carries a rotation to kiosks without a visit.
 */
import { ENROLLMENT_CONTENT_TYPE, TRUST_BUNDLE_CONTENT_TYPE, bundleKeyOf, encodeEnrollment, encodeTrustBundle, type Enrollment } from '../../protocol/documents.js';
import { signDocument, type DocumentSigner } from '../../protocol/signed-document.js';
import type { BundleBuilder, SigningKeyRecord } from '../store/store.js';
import { COSE_ALG, privateKeyOf, publicKeyOf } from './keys.js';

/** The keys whose window holds `nowMs`, as document signers. */
export function documentSigners(keys: readonly SigningKeyRecord[], nowMs: number): DocumentSigner[] {
  return keys
    .filter((k) => k.notBefore.getTime() <= nowMs && (k.notAfter === null || k.notAfter.getTime() > nowMs))
    .map((k) => ({ kid: k.kid, alg: COSE_ALG[k.alg], privateKey: privateKeyOf(k) }));
}

/**
 * The bundle lists every key not yet expired with its end (notAfter). It
 * gives no start: a coupon cannot be signed before its key exists, and a
 * kiosk whose clock runs behind must still accept a freshly rotated key.
 */
export function trustBundleBuilder(nowMs: number): BundleBuilder {
  return (seq, keys, platformId) => {
    const payload = encodeTrustBundle({
      platformId,
      seq,
      issuedAt: nowMs,
      keys: keys.map((k) => bundleKeyOf(publicKeyOf(k), k.notAfter === null ? {} : { notAfter: k.notAfter.getTime() })),
    });
    return signDocument(payload, TRUST_BUNDLE_CONTENT_TYPE, documentSigners(keys, nowMs));
  };
}

export function signEnrollment(enrollment: Enrollment, keys: readonly SigningKeyRecord[], nowMs: number): Uint8Array {
  return signDocument(encodeEnrollment(enrollment), ENROLLMENT_CONTENT_TYPE, documentSigners(keys, nowMs));
}
