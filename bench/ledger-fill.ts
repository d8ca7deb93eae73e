import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { silentLogger } from '../device/logger.js';
import { openLedger, SqliteLedger } from '../device/ledger/index.js';
import type { RedemptionInput } from '../device/ledger/index.js';

const BATCH = 50_000;

/** A plausible redemption, distinct per i, sized like a real one. */
export function syntheticRedemption(i: number): RedemptionInput {
  const cti = createHash('sha256').update(`cti-${i}`).digest('hex').slice(0, 32);
  return {
    platformId: 'demo-platform',
    ctiHex: cti,
    serial: cti.slice(0, 26).toUpperCase().replace(/(.{4})(?!$)/g, '$1-'),
    product: `sku-${i % 500}`,
    quantity: 1 + (i % 3),
    title: 'Noodle set for two',
    merchantId: 'demo-merchant',
    consumer: `user-${i % 100_000}`,
    iat: 1_780_000_000 + i,
    exp: 1_790_000_000 + i,
    at: 1_780_000_000_000 + i * 1000,
    terminalId: 'counter-1',
    textHash: createHash('sha256').update(`text-${i}`).digest('hex'),
  };
}

/**
 * Adds n synthetic redemptions to the ledger at `path` for benchmarks. Durability
 * is traded for speed only here (synchronous=OFF, 50k rows per transaction);
 * the file is checkpointed and closed, so the next open is an ordinary one.
 */
export function fillLedger(path: string, n: number): void {
  openLedger(path, { logger: silentLogger() }).close(); // create and migrate the normal way
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const ledger = new SqliteLedger(db, path, silentLogger());
    const start = ledger.counts().redemptions;
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) ledger.redeem(syntheticRedemption(i));
    });
    for (let from = start; from < start + n; from += BATCH) batch(from, Math.min(from + BATCH, start + n));
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
