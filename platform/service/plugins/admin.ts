/** The admin API under /v1/admin: every route behind the admin token. */
import type { App, ServiceDeps } from '../types.js';
import { requireAdmin } from './admin-auth.js';
import { adminCouponsPlugin } from './admin-coupons.js';
import { adminKeysPlugin } from './admin-keys.js';
import { adminMerchantsPlugin } from './admin-merchants.js';
import { adminTerminalsPlugin } from './admin-terminals.js';
import { adminUsbPlugin } from './admin-usb.js';

export async function adminPlugin(app: App, deps: ServiceDeps): Promise<void> {
  requireAdmin(app, deps);
  await adminMerchantsPlugin(app, deps);
  await adminTerminalsPlugin(app, deps);
  await adminCouponsPlugin(app, deps);
  await adminKeysPlugin(app, deps);
  await adminUsbPlugin(app, deps);
}
