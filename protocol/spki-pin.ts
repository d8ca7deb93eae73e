/**
 * The RFC 7469 pin of a TLS server's public key, apart from the setup code
 * (setup-code.ts re-exports it) so that the kiosk's TLS connector loads no
 * schema (docs/decisions.md, "validators compiled at build time").
 */
import { X509Certificate, createHash } from 'node:crypto';

/**
 * The RFC 7469 pin of a certificate's public key: `sha256/` and the standard
 * Base64 of SHA-256 over its SubjectPublicKeyInfo DER. Takes PEM text or DER
 * bytes; TypeError for anything that is not an X.509 certificate.
 */
export function spkiPin(certificate: string | Uint8Array): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(typeof certificate === 'string' ? certificate : Buffer.from(certificate));
  } catch (err) {
    throw new TypeError(`not an X.509 certificate (PEM or DER): ${(err as Error).message}`);
  }
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}
