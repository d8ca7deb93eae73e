/** The one SQL implementation of the Store port, over a Db (PGlite or pg). */
import type { Db } from './db.js';
import { couponQueries } from './sql/coupons.js';
import { identityQueries } from './sql/identity.js';
import { merchantQueries } from './sql/merchants.js';
import { redemptionQueries } from './sql/redemptions.js';
import { terminalQueries } from './sql/terminals.js';
import { usbQueries } from './sql/usb.js';
import type { Store } from './store.js';

export function createSqlStore(db: Db): Store {
  return {
    ...identityQueries(db),
    ...merchantQueries(db),
    ...terminalQueries(db),
    ...couponQueries(db),
    ...redemptionQueries(db),
    ...usbQueries(db),
    async ping() {
      await db.query('SELECT 1', []);
    },
    close: () => db.close(),
  };
}
