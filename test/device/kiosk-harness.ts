/** A whole kiosk built from fakes and a real ledger, in a few lines per test. */
import type { Keyring } from '../../coupon/index.js';
import { FakeClock } from '../../drivers/clock/port.js';
import { FakeDisplay } from '../../drivers/display/fake.js';
import { FakeIndicator } from '../../drivers/indicator/fake.js';
import { FakeScanner } from '../../drivers/scanner/fake.js';
import { Kiosk, type FaultEvent } from '../../device/kiosk.js';
import { KeyringHolder } from '../../device/keyring-holder.js';
import type { Ledger } from '../../device/ledger/types.js';
import { memoryLogger } from '../../device/logger.js';
import { Redeemer, type ClaimDeps } from '../../device/pipeline.js';
import type { Verdict } from '../../device/verdict.js';

export interface Harness {
  kiosk: Kiosk;
  scanner: FakeScanner;
  display: FakeDisplay;
  indicator: FakeIndicator;
  clock: FakeClock;
  verdicts: Verdict[];
  faults: FaultEvent[];
  logLines: Record<string, unknown>[];
  /** resolves once `n` verdicts in total have been emitted */
  verdictCount(n: number): Promise<void>;
}

export function buildKiosk(opts: { keyring: Keyring | KeyringHolder; ledger: Ledger; clock?: FakeClock; verdictScreenMs?: number; ledgerRetryMs?: number; claims?: ClaimDeps }): Harness {
  const { logger, lines } = memoryLogger('info');
  const clock = opts.clock ?? new FakeClock(Date.now());
  const scanner = new FakeScanner();
  const display = new FakeDisplay();
  const indicator = new FakeIndicator();
  const keys = opts.keyring instanceof KeyringHolder ? opts.keyring : new KeyringHolder({ keyring: opts.keyring, disabled: [] });
  const redeemer = new Redeemer({ keys, ledger: opts.ledger, clock, logger, terminalId: 'till-1', ...(opts.claims ? { claims: opts.claims } : {}) });
  const config = { verdictScreenMs: opts.verdictScreenMs ?? 60_000 };
  const retry = opts.ledgerRetryMs !== undefined ? { ledgerRetryMs: opts.ledgerRetryMs } : {};
  const kiosk = new Kiosk({ scanner, display, indicator, redeemer, keys, ledger: opts.ledger, clock, logger, config, ...retry });
  const verdicts: Verdict[] = [];
  const faults: FaultEvent[] = [];
  kiosk.on('verdict', (v) => verdicts.push(v));
  kiosk.on('fault', (f) => faults.push(f));
  const verdictCount = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (verdicts.length < n) return;
        kiosk.off('verdict', check);
        resolve();
      };
      kiosk.on('verdict', check);
      check();
    });
  return { kiosk, scanner, display, indicator, clock, verdicts, faults, logLines: lines, verdictCount };
}

export function reasonOf(v: Verdict | undefined): string | undefined {
  if (v === undefined) return undefined;
  return v.kind === 'verdict' ? v.reason : `FAULT:${v.fault}`;
}

/**
 * Scan each text and wait for all verdicts, a batch the scan queue holds at a
 * time (a flood beyond DEFAULT_MAX_QUEUED_SCANS is refused by design).
 */
export async function scanAll(h: Harness, texts: readonly string[], batch = 16): Promise<void> {
  for (let i = 0; i < texts.length; i += batch) {
    const part = texts.slice(i, i + batch);
    const before = h.verdicts.length;
    for (const t of part) h.scanner.emitLine(t);
    await h.verdictCount(before + part.length);
  }
}
