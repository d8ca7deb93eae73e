/**
 * A kiosk home enrolled with the real service on loopback (in this process,
 * PGlite), optionally behind a fault proxy, its ledger, and redemptions of
 * coupons the service really issued: what the sync worker's tests need.
 */
import path from 'node:path';
import { loadHome } from '../../../device/home.js';
import { openHomeLedger } from '../../../device/home-ledger.js';
import type { SqliteLedger } from '../../../device/ledger/sqlite-ledger.js';
import type { Ledger, Redemption } from '../../../device/ledger/types.js';
import { memoryLogger, type Logger } from '../../../device/logger.js';
import type { SyncConfig } from '../../../device/config-sync.js';
import { enroll } from '../../../provisioning/enroll.js';
import { loadPlatform } from '../../../provisioning/store/load.js';
import type { PlatformEndpoint } from '../../../protocol/exchange.js';
import { httpTransport } from '../../../sync/transport/http.js';
import { SyncWorker } from '../../../sync/worker.js';
import type { PlatformClientOptions } from '../../../sync/transport/client.js';
import type { ServiceFixture } from '../../provisioning/service-fixture.js';
import { parseConfig } from '../../../device/config.js';
import { raiseTrustedTime } from '../../../device/trusted-time.js';
import { systemClock } from '../../../drivers/clock/port.js';

export interface KioskSide {
  home: string;
  platformId: string;
  terminalId: string;
  ledger: SqliteLedger;
  logger: Logger;
  lines: Record<string, unknown>[];
}

/** Enrolls a new home at `url` (the service, or a proxy in front of it) and opens its ledger. */
export async function enrolledKiosk(fx: ServiceFixture, dir: string, name: string, endpoint: PlatformEndpoint): Promise<KioskSide> {
  const home = path.join(dir, name);
  const { token, platformKid } = await fx.token('shop-1');
  const { logger, lines } = memoryLogger('debug');
  const http = httpTransport(endpoint, { logger });
  try {
    await enroll({ home, endpoint, token, expectPlatformKid: platformKid, device: { name, software: 'test' } }, { exchange: http.exchange, logger });
  } finally {
    await http.close();
  }
  return openKiosk(home, 'plat-test', { logger, lines });
}

/** An enrolled home's ledger opened in this process, with its platform's terminal id. */
export function openKiosk(home: string, platformId: string, log = memoryLogger('debug')): KioskSide {
  const loaded = loadHome(home);
  const ledger = openHomeLedger(loaded.paths, loaded.config, { logger: log.logger });
  const p = loadPlatform(home, platformId, { credentials: undefined });
  return { home, platformId: p.platformId, terminalId: p.record.terminalId, ledger, logger: log.logger, lines: log.lines };
}

/** A coupon the service issued to shop-1, redeemed in the kiosk's ledger at `at` (offline). */
export async function redeemIssued(fx: Pick<ServiceFixture, 'admin'>, k: KioskSide, at = Date.now() - 1000): Promise<Redemption> {
  const iat = new Date(Date.now() - 3600_000).toISOString();
  const c = await fx.admin('POST', '/coupons', { aud: 'shop-1', sub: 'u-7', product: 'hotpot', quantity: 2, iat });
  if (c.status !== 201) throw new Error(JSON.stringify(c.body));
  const out = k.ledger.redeem({
    platformId: k.platformId, ctiHex: c.body['ctiHex'] as string, serial: c.body['serial'] as string, product: 'hotpot', quantity: 2, merchantId: 'shop-1', consumer: 'u-7',
    iat: Math.floor(Date.parse(c.body['iat'] as string) / 1000), exp: Math.floor(Date.parse(c.body['exp'] as string) / 1000), at, terminalId: k.terminalId, textHash: 'ab'.repeat(32),
  });
  if (!out.ok) throw new Error('not redeemed');
  return out.redemption;
}

export function syncConfig(over: Partial<SyncConfig> = {}): SyncConfig {
  return { ...parseConfig({}, { home: '/tmp' }).sync, backoffBaseMs: 50, backoffMaxMs: 400, ...over };
}

export function worker(k: KioskSide, over: Partial<SyncConfig> = {}, transport?: Partial<PlatformClientOptions>, ledger: Ledger = k.ledger): SyncWorker {
  const raiseTime = (t: number, source: string): number => raiseTrustedTime({ ledger: k.ledger, clock: systemClock }, t, source);
  return new SyncWorker({
    home: k.home, ledger, config: syncConfig(over), logger: k.logger, now: Date.now, raiseTime, retryStartMs: 50,
    load: (h, id) => loadPlatform(h, id, { credentials: undefined }), ...(transport ? { transport } : {}),
  });
}

/** The service's rows of this terminal: coupon → scan times (one entry per row). */
export async function platformRows(fx: ServiceFixture, terminalId: string): Promise<Map<string, { scannedAt: number; offline: boolean; reversed: boolean }[]>> {
  const rows = new Map<string, { scannedAt: number; offline: boolean; reversed: boolean }[]>();
  for (let after = 0; ;) {
    const page = await fx.service.store.redemptionsAfter(after, 1000);
    for (const r of page.items.filter((x) => x.terminalId === terminalId)) {
      rows.set(r.ctiHex, [...(rows.get(r.ctiHex) ?? []), { scannedAt: r.scannedAt.getTime(), offline: r.offline, reversed: r.reversedAt !== null }]);
    }
    if (page.items.length === 0 || page.cursor === after) return rows;
    after = page.cursor;
  }
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
