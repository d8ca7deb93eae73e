/** Admin: merchants (sync settings, key pairs), branches and enrollment tokens. */
import { randomBytes } from 'node:crypto';
import { crockfordBase32 } from '../../../coupon/index.js';
import { Type } from 'typebox';
import { AddBranchBody, AddMerchantBody, BranchView, MerchantParams, MerchantView, RotateMerchantKeyBody, TokenBody, TokenView, UpdateMerchantBody } from '../admin-schemas.js';
import { HttpError } from '../errors.js';
import { newMerchantKey } from '../keys.js';
import { ADMIN_SECURITY, ERROR_RESPONSES } from '../schemas.js';
import { tokenHash } from '../tokens.js';
import type { App, ServiceDeps } from '../types.js';
import { iso, merchantView } from '../views.js';

const meta = (summary: string) => ({ summary, tags: ['admin'], security: ADMIN_SECURITY });

export async function adminMerchantsPlugin(app: App, deps: ServiceDeps): Promise<void> {
  const { store } = deps;
  const view = async (merchantId: string) => {
    const [m, all, live] = await Promise.all([store.merchant(merchantId), store.merchantKeys(merchantId), store.liveMerchantKeys(merchantId)]);
    return merchantView(m, all, new Set(live.map((k) => k.kid)));
  };

  app.post('/merchants', { schema: { ...meta('Add a merchant and its first key pair'), body: AddMerchantBody, response: { 201: MerchantView, ...ERROR_RESPONSES } } }, async (req, reply) => {
    const b = req.body;
    await store.addMerchant({ merchantId: b.merchantId, name: b.name ?? '', claimMode: b.claimMode ?? 'offline', settings: b.settings ?? {}, key: newMerchantKey(b.keyKind ?? 'x25519') });
    return reply.code(201).send(await view(b.merchantId));
  });

  app.get('/merchants', { schema: { ...meta('List merchants'), response: { 200: Type.Array(MerchantView), ...ERROR_RESPONSES } } }, async () => {
    const merchants = await store.listMerchants();
    return Promise.all(merchants.map((m) => view(m.merchantId)));
  });

  app.get('/merchants/:merchantId', { schema: { ...meta('One merchant'), params: MerchantParams, response: { 200: MerchantView, ...ERROR_RESPONSES } } }, async (req) => view(req.params.merchantId));

  app.patch('/merchants/:merchantId', { schema: { ...meta('Change claim mode or sync limits'), params: MerchantParams, body: UpdateMerchantBody, response: { 200: MerchantView, ...ERROR_RESPONSES } } }, async (req) => {
    await store.updateMerchant(req.params.merchantId, { ...(req.body.claimMode ? { claimMode: req.body.claimMode } : {}), settings: req.body.settings ?? {} });
    return view(req.params.merchantId);
  });

  app.post('/merchants/:merchantId/keys', {
    schema: { ...meta('Rotate the merchant key: a new current key; the old stays live while its coupons are unexpired'), params: MerchantParams, body: RotateMerchantKeyBody, response: { 201: MerchantView, ...ERROR_RESPONSES } },
  }, async (req, reply) => {
    const current = await store.currentMerchantKey(req.params.merchantId);
    await store.rotateMerchantKey(req.params.merchantId, newMerchantKey(req.body.kind ?? current.kind));
    return reply.code(201).send(await view(req.params.merchantId));
  });

  app.post('/merchants/:merchantId/branches', { schema: { ...meta('Add a branch'), params: MerchantParams, body: AddBranchBody, response: { 201: BranchView, ...ERROR_RESPONSES } } }, async (req, reply) => {
    const b = await store.addBranch({ merchantId: req.params.merchantId, branchId: req.body.branchId, name: req.body.name ?? '' });
    return reply.code(201).send({ ...b, createdAt: iso(b.createdAt) });
  });

  app.get('/merchants/:merchantId/branches', { schema: { ...meta('List branches'), params: MerchantParams, response: { 200: Type.Array(BranchView), ...ERROR_RESPONSES } } }, async (req) => {
    return (await store.listBranches(req.params.merchantId)).map((b) => ({ ...b, createdAt: iso(b.createdAt) }));
  });

  app.post('/enrollment-tokens', {
    schema: { ...meta('A one-time enrollment token for one branch (shown once; only its hash is kept)'), body: TokenBody, response: { 201: TokenView, ...ERROR_RESPONSES } },
  }, async (req, reply) => {
    const ttl = req.body.ttlSeconds ?? deps.config.enrollTokenTtlS;
    if (ttl > deps.config.maxEnrollTokenTtlS) throw new HttpError('VALIDATION_FAILED', `body/ttlSeconds must be at most ${deps.config.maxEnrollTokenTtlS}, not ${ttl}`);
    // Crockford Base32: no '-' a command line could take for an option, nothing to confuse when typed
    const token = crockfordBase32(randomBytes(20));
    const expiresAt = new Date(deps.now() + ttl * 1000);
    await store.createEnrollmentToken({ sha256: tokenHash(token), merchantId: req.body.merchantId, branchId: req.body.branchId, expiresAt });
    const [platformId, keys] = await Promise.all([store.platformId(), store.validSigningKeys()]);
    const platformKid = keys[0]?.kid;
    if (platformKid === undefined) throw new HttpError('NOT_INITIALISED', 'the platform has no valid signing key');
    return reply.code(201).send({ token, expiresAt: iso(expiresAt), merchantId: req.body.merchantId, branchId: req.body.branchId, platformId, platformKid });
  });
}
