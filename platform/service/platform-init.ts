/** The platform's first start on a database: its id, first signing key and trust bundle 1 (later starts check the id). */
import { randomBytes } from 'node:crypto';
import { newSigningKey } from './keys.js';
import { trustBundleBuilder } from './trust.js';
import type { ServiceDeps } from './types.js';

export async function initPlatform(deps: ServiceDeps, opts: { platformId?: string }): Promise<{ platformId: string; created: boolean }> {
  const now = deps.now();
  return deps.store.initPlatform({
    platformId: opts.platformId,
    randomId: () => `platform-${randomBytes(5).toString('hex')}`,
    firstKey: () => newSigningKey(deps.config.signingKeyKind, new Date(now)),
    bundle: trustBundleBuilder(now),
  });
}
