import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../../device/logger.js';
import { openLedger, type Ledger, type LedgerOptions, type RedemptionInput } from '../../../device/ledger/index.js';

/** Temp directories for one test file; call cleanup() in afterEach. */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-ledger-'));
    this.dirs.push(dir);
    return dir;
  }

  /** A path for a ledger file that does not exist yet. */
  dbPath(): string {
    return path.join(this.make(), 'ledger.db');
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function open(file: string, opts: Partial<LedgerOptions> = {}): Ledger {
  return openLedger(file, { logger: silentLogger(), ...opts });
}

/** A redemption for serial number i (cti is i in hex, padded to 16 hex digits). */
export function input(i: number, over: Partial<RedemptionInput> = {}): RedemptionInput {
  return {
    platformId: 'plat-a',
    ctiHex: i.toString(16).padStart(16, '0'),
    serial: `SER-${i}`,
    product: 'sku-1',
    quantity: 2,
    title: 'Hotpot for two',
    merchantId: 'merchant-1',
    consumer: 'consumer-1',
    iat: 1_780_000_000,
    exp: 1_790_000_000,
    at: 1_780_000_100_000 + i,
    terminalId: 'counter-1',
    textHash: 'ab'.repeat(32),
    ...over,
  };
}

/** Runs fn and returns the LedgerError code it threw (fails if it did not throw one). */
export function codeThrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof Error && err.name === 'LedgerError' && 'code' in err) return String(err.code);
    throw err;
  }
  throw new Error('expected a LedgerError, nothing was thrown');
}
