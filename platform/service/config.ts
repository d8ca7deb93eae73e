/**
 * The service's settings: defaults, overridable by the composition root,
 * checked once and frozen. Every problem is reported at once.
 */
export interface ServiceConfig {
  /** largest request body, bytes */
  bodyLimit: number;
  /** a request must arrive whole within this, ms (slow-loris guard) */
  requestTimeoutMs: number;
  /** idle keep-alive sockets are closed after this, ms */
  keepAliveTimeoutMs: number;
  /** terminal request signatures: |created - now| allowed, seconds (docs/protocol.md) */
  signatureWindowS: number;
  enrollTokenTtlS: number;
  maxEnrollTokenTtlS: number;
  /** coupons issued without --exp are valid this long */
  couponValidityS: number;
  /** after `keys rotate`, the old signing key stays valid this long (covers coupons already out) */
  rotationOverlapS: number;
  signingKeyKind: 'ed25519' | 'rsa';
}

export const DEFAULT_CONFIG: Readonly<ServiceConfig> = Object.freeze({
  bodyLimit: 256 * 1024,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  signatureWindowS: 300,
  enrollTokenTtlS: 15 * 60,
  maxEnrollTokenTtlS: 7 * 24 * 3600,
  couponValidityS: 30 * 24 * 3600,
  rotationOverlapS: 30 * 24 * 3600,
  signingKeyKind: 'ed25519',
});

const POSITIVE: Array<keyof ServiceConfig> = ['bodyLimit', 'requestTimeoutMs', 'keepAliveTimeoutMs', 'signatureWindowS', 'enrollTokenTtlS', 'maxEnrollTokenTtlS', 'couponValidityS', 'rotationOverlapS'];

export function serviceConfig(over: Partial<ServiceConfig> = {}): Readonly<ServiceConfig> {
  const c: ServiceConfig = { ...DEFAULT_CONFIG, ...over };
  const problems: string[] = [];
  for (const k of POSITIVE) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) problems.push(`${k} must be a positive integer, not ${JSON.stringify(v)}`);
  }
  if (c.enrollTokenTtlS > c.maxEnrollTokenTtlS) problems.push(`enrollTokenTtlS (${c.enrollTokenTtlS}) exceeds maxEnrollTokenTtlS (${c.maxEnrollTokenTtlS})`);
  if (c.signingKeyKind !== 'ed25519' && c.signingKeyKind !== 'rsa') problems.push(`signingKeyKind must be ed25519 or rsa, not ${JSON.stringify(c.signingKeyKind)}`);
  if (problems.length > 0) throw new Error(`invalid service configuration:\n  ${problems.join('\n  ')}`);
  return Object.freeze(c);
}
