/**
 * The composition root's part for claim modes (issue 9): the real claimer
 * over the signed transport to each enrolled platform, and each platform's
 * claim policy from its enrollment record (the merchant's settings, refreshed
 * by state pulls) and config.json's `claims` section. `kiosk start` and
 * `kiosk redeem` both take the pipeline's claims from here.
 */
import type { ClaimsConfig } from './config-claims.js';
import { claimPolicy, type ClaimPolicy } from './claims/policy.js';
import type { Claimer } from './claims/port.js';
import type { Logger } from './logger.js';
import type { ClaimDeps } from './pipeline.js';
import type { EnrolledPlatform } from '../provisioning/store/load.js';
import { HttpClaimer, type HttpClaimerOptions } from '../sync/claims/http-claimer.js';

export interface ClaimsWiring extends ClaimDeps {
  claimer: Claimer;
}

/**
 * A platform without a service URL (offline bundle, PEM import) or one that
 * disabled this terminal has nobody to claim with: offline mode (a disabled
 * terminal holds no merchant keys, so it redeems nothing anyway).
 */
export function policyFor(platforms: () => readonly EnrolledPlatform[], config: ClaimsConfig): (platformId: string) => ClaimPolicy {
  return (platformId) => {
    const p = platforms().find((x) => x.platformId === platformId);
    if (!p || p.record.url === null || p.record.disabled !== null) return claimPolicy(undefined, config);
    return claimPolicy(p.record.sync, config);
  };
}

export function buildClaims(opts: { platforms: () => readonly EnrolledPlatform[]; config: ClaimsConfig; logger: Logger; transport?: HttpClaimerOptions['transport'] }): ClaimsWiring {
  const claimer = new HttpClaimer({ platforms: opts.platforms, logger: opts.logger, ...(opts.transport ? { transport: opts.transport } : {}) });
  return { claimer, policy: policyFor(opts.platforms, opts.config) };
}
