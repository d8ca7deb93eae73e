/**
 * A store with a platform, merchants m-1 and m-2 (branches b-1 and b-2 each)
 * and helpers to enroll terminals and register coupons: what the store
 * contract suites start from.
 */
import type { NewCoupon, Store, Terminal } from '../../../platform/store/store.js';
import type { Engine } from './engines.js';
import { ctiHex, device, fakeBundle, merchantKey, signingKey, tokenHash } from './fixtures.js';

export interface StoreWorld {
  store: Store;
  /** PostgreSQL's connection string (for a second client); undefined on PGlite */
  url?: string;
  close(): Promise<void>;
  soon(): Date;
  enroll(branchId?: string, merchantId?: string): Promise<Terminal>;
  /** registers a coupon of m-1 (product sku, quantity 2, consumer u-1, issued an hour ago) with `over` applied */
  coupon(over?: Partial<NewCoupon>): Promise<string>;
}

export async function storeWorld(ctx: Mocha.Context, engine: Engine): Promise<StoreWorld> {
  const { store, close, url } = await engine.open(ctx);
  await store.initPlatform({ platformId: 'p-1', randomId: () => 'x', firstKey: signingKey, bundle: fakeBundle });
  const signerKid = (await store.validSigningKeys())[0]!.kid;
  for (const m of ['m-1', 'm-2']) {
    await store.addMerchant({ merchantId: m, name: '', claimMode: 'offline', settings: {}, key: merchantKey() });
    for (const b of ['b-1', 'b-2']) await store.addBranch({ merchantId: m, branchId: b, name: '' });
  }
  const soon = (): Date => new Date(Date.now() + 900_000);
  return {
    store, close, soon, ...(url === undefined ? {} : { url }),
    async enroll(branchId = 'b-1', merchantId = 'm-1') {
      const h = tokenHash();
      await store.createEnrollmentToken({ sha256: h, merchantId, branchId, expiresAt: soon() });
      return store.enrollWithToken(h, device());
    },
    async coupon(over = {}) {
      const merchantId = over.merchantId ?? 'm-1';
      const c: NewCoupon = {
        ctiHex: ctiHex(), merchantId, product: 'sku', quantity: 2, consumer: 'u-1', title: 'Hotpot', iat: new Date(Date.now() - 3600_000), nbf: null, exp: soon(),
        merchantKid: (await store.currentMerchantKey(merchantId)).kid, signerKid, ...over,
      };
      await store.registerCoupon(c);
      return c.ctiHex;
    },
  };
}

/** Registers before/after hooks in the calling describe: the world is ready inside its tests. */
export function useStoreWorld(engine: Engine): StoreWorld {
  const w = {} as StoreWorld;
  before(async function () {
    Object.assign(w, await storeWorld(this, engine));
  });
  after(async () => w.close?.());
  return w;
}
