/** Admin: the platform's identity and signing keys. */
import { PlatformView } from '../admin-schemas.js';
import { ADMIN_SECURITY, ERROR_RESPONSES } from '../schemas.js';
import type { App, ServiceDeps } from '../types.js';
import { signingKeyView } from '../views.js';

const meta = (summary: string) => ({ summary, tags: ['admin'], security: ADMIN_SECURITY });

export async function adminKeysPlugin(app: App, deps: ServiceDeps): Promise<void> {
  const { store } = deps;
  app.get('/platform', { schema: { ...meta('The platform id, its signing keys (public) and the newest trust bundle number'), response: { 200: PlatformView, ...ERROR_RESPONSES } } }, async () => {
    const [platformId, keys, bundle] = await Promise.all([store.platformId(), store.allSigningKeys(), store.latestTrustBundle()]);
    return { platformId, trustSeq: bundle.seq, keys: keys.map(signingKeyView) };
  });
}
