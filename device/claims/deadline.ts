/** The pipeline's own deadline on a claim: a claimer that breaks its contract (never settles, rejects) still yields a `no-answer`. */
import type { ClaimAnswer } from './port.js';

/** The claimer's answer, or `no-answer` TIMEOUT once `ms` have passed (the claimer's own timeout should come first). */
export function withDeadline(claim: Promise<ClaimAnswer>, ms: number): Promise<ClaimAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ClaimAnswer>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'no-answer', code: 'TIMEOUT', message: `the claimer did not settle within ${ms} ms` }), ms);
  });
  const safe = claim.catch((err: unknown): ClaimAnswer => ({ kind: 'no-answer', code: 'FAILED', message: (err as Error)?.message ?? String(err) }));
  return Promise.race([safe, late]).finally(() => clearTimeout(timer));
}
