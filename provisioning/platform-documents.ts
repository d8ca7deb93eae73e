/**
 * Checking what a platform hands a kiosk at enrollment (online, or in an
 * offline provisioning bundle) before anything is written: the trust bundle,
 * signed by the platform key the technician expects (pinned by its kid, from
 * the setup code or --expect-platform-kid) or, with no expectation, trusted
 * on first use; then the enrollment document, signed by a key of that
 * bundle, naming this platform and this kiosk's keys.
 *
 * A kid is SHA-256 over the public key (docs/architecture.md), and the bundle
 * decoder checks every key against its kid, so a key found in the bundle
 * under the pinned kid is the pinned key, whoever delivered the bundle.
 */
import { createHash } from 'node:crypto';
import { kidInput } from '../coupon/keys.js';
import type { PlatformKey } from '../coupon/types.js';
import { ENROLLMENT_CONTENT_TYPE, TRUST_BUNDLE_CONTENT_TYPE, decodeEnrollment, decodeTrustBundle, type Enrollment, type TrustBundle } from '../protocol/documents.js';
import { peekDocument, verifyDocument } from '../protocol/signed-document.js';
import { ProvisionError } from './errors.js';
import { PLATFORM_ID } from './store/layout.js';

export interface TrustAnchor {
  /** pinned: the expected kid signed the bundle; first-use: nothing was expected */
  mode: 'pinned' | 'first-use';
  /** the key that vouched for the bundle */
  kid: string;
}

export interface CheckedDocuments {
  anchor: TrustAnchor;
  trust: { document: Uint8Array; bundle: TrustBundle; keys: PlatformKey[] };
  enrollment: Enrollment;
  enrollmentDocument: Uint8Array;
}

export type KeyLookup = (kid: string) => PlatformKey | undefined;

/** The full SHA-256 of a key's kid input, hex: what a technician compares; the kid is its first 16 digits. */
export function fingerprint(key: PlatformKey['publicKey']): string {
  return createHash('sha256').update(kidInput(key)).digest('hex');
}

/** Whether a platform key's window (Unix s) holds `nowMs`. */
export function validAt(key: PlatformKey, nowMs: number): boolean {
  const s = Math.floor(nowMs / 1000);
  return (key.notBefore === undefined || key.notBefore <= s) && (key.notAfter === undefined || s < key.notAfter);
}

/** The keys of a bundle valid at `nowMs`, by hex kid. */
export function lookupValid(keys: readonly PlatformKey[], nowMs: number): KeyLookup {
  const byKid = new Map(keys.filter((k) => validAt(k, nowMs)).map((k) => [Buffer.from(k.kid).toString('hex'), k]));
  return (kid) => byKid.get(kid);
}

/**
 * The trust bundle and its anchor: the key under `expectKid` signed it, or
 * (no expectation) one of its own valid keys did. The HTTP answer that
 * carried it is verified with `anchorLookup` by the caller.
 */
export function checkTrustBundle(bytes: Uint8Array, opts: { expectKid?: string | undefined; nowMs: number; source: string }): { trust: CheckedDocuments['trust']; anchor: TrustAnchor; anchorLookup: KeyLookup } {
  const peeked = peekDocument(bytes);
  if (!peeked.ok || peeked.contentType !== TRUST_BUNDLE_CONTENT_TYPE) throw invalid(`${opts.source}: the trust bundle is not a signed trust bundle${peeked.ok ? '' : ` (${peeked.message})`}`);
  const decoded = decodeTrustBundle(peeked.payload);
  if (!decoded.ok) throw invalid(`${opts.source}: trust bundle: ${decoded.code}: ${decoded.message}`);
  const { bundle, keys } = decoded;
  if (!PLATFORM_ID.test(bundle.platformId)) throw invalid(`${opts.source}: platform id '${bundle.platformId.slice(0, 80)}' is not 1-64 letters, digits, '.', '_' or '-'`);
  const valid = lookupValid(keys, opts.nowMs);
  let anchorLookup: KeyLookup;
  if (opts.expectKid !== undefined) {
    const pinned = keys.find((k) => Buffer.from(k.kid).toString('hex') === opts.expectKid);
    const listed = bundle.keys.map((k) => k.kid).join(', ');
    if (pinned === undefined) throw new ProvisionError('PLATFORM_KEY_MISMATCH', `${opts.source}: the platform answering signs with key(s) ${listed}, not the expected ${opts.expectKid}: a man in the middle, or the wrong platform or URL. Nothing was written`);
    if (!validAt(pinned, opts.nowMs)) throw new ProvisionError('PLATFORM_KEY_MISMATCH', `${opts.source}: the expected platform key ${opts.expectKid} is no longer valid (its window ended); ask the platform for a new setup code`);
    anchorLookup = (kid) => (kid === opts.expectKid ? pinned : undefined);
  } else anchorLookup = valid;
  const verified = verifyDocument(bytes, TRUST_BUNDLE_CONTENT_TYPE, anchorLookup);
  if (!verified.ok) {
    const code = opts.expectKid !== undefined ? 'PLATFORM_KEY_MISMATCH' : 'ENROLLMENT_INVALID';
    throw new ProvisionError(code, `${opts.source}: the trust bundle is not signed by ${opts.expectKid ?? 'any of its own valid keys'} (${verified.code}: ${verified.message}). Nothing was written`);
  }
  return { trust: { document: bytes, bundle, keys }, anchor: { mode: opts.expectKid !== undefined ? 'pinned' : 'first-use', kid: verified.signedBy[0]! }, anchorLookup };
}

/** The enrollment document: signed by a valid key of the bundle, for the bundle's platform, naming these kids. */
export function checkEnrollmentDocument(bytes: Uint8Array, trust: CheckedDocuments['trust'], expect: { terminalKid: string; wrapKid: string; nowMs: number; source: string }): Enrollment {
  const verified = verifyDocument(bytes, ENROLLMENT_CONTENT_TYPE, lookupValid(trust.keys, expect.nowMs));
  if (!verified.ok) throw invalid(`${expect.source}: the enrollment document does not verify with the platform's keys (${verified.code}: ${verified.message})`);
  const decoded = decodeEnrollment(verified.payload);
  if (!decoded.ok) throw invalid(`${expect.source}: enrollment document: ${decoded.message}`);
  const e = decoded.enrollment;
  if (e.platformId !== trust.bundle.platformId) throw invalid(`${expect.source}: the enrollment is for platform '${e.platformId}', the trust bundle for '${trust.bundle.platformId}'`);
  if (e.terminalKid !== expect.terminalKid) throw invalid(`${expect.source}: the enrollment names terminal key ${e.terminalKid}, not this kiosk's ${expect.terminalKid}`);
  if (e.wrapKid !== expect.wrapKid) throw invalid(`${expect.source}: the enrollment names wrap key ${e.wrapKid}, not this kiosk's ${expect.wrapKid}`);
  return e;
}

function invalid(message: string): ProvisionError {
  return new ProvisionError('ENROLLMENT_INVALID', `${message}. Nothing was written`);
}
