/** Admin: the platform's identity and signing keys. */
import { PlatformView, RotateKeysBody } from '../admin-schemas.js';
import { newSigningKey } from '../keys.js';
import { trustBundleBuilder } from '../trust.js';
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

  app.post('/keys/rotate', {
    schema: {
      ...meta('A new platform signing key: it signs new coupons at once; the old keys stay valid for the overlap; trust bundle seq+1, signed by the keys kiosks already trust'),
      body: RotateKeysBody,
      response: { 201: PlatformView, ...ERROR_RESPONSES },
    },
  }, async (req, reply) => {
    const now = deps.now();
    const overlapS = req.body.overlapSeconds ?? deps.config.rotationOverlapS;
    const key = newSigningKey(req.body.kind ?? deps.config.signingKeyKind, new Date(now));
    const bundle = await store.rotateSigningKey(key, new Date(now + overlapS * 1000), trustBundleBuilder(now));
    req.log.warn({ kid: key.kid, trustSeq: bundle.seq, overlapS }, 'platform signing key rotated');
    const [platformId, keys] = await Promise.all([store.platformId(), store.allSigningKeys()]);
    return reply.code(201).send({ platformId, trustSeq: bundle.seq, keys: keys.map(signingKeyView) });
  });
}
