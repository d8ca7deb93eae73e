import type { EventEmitter } from 'node:events';
import { MAX_TEXT_CHARS } from '../../coupon/base64.js';

/** Longest coupon text the format accepts (COUPON-FORMAT.md §5). */
export const MAX_SCAN_CHARS = MAX_TEXT_CHARS;

/**
 * One scan is one burst: a scanner sends what it read in one go, and nobody
 * scans twice within this many ms. Lines that follow a scan with less quiet
 * than this in between are the rest of that scan (a QR code holding line
 * breaks), not new scans.
 */
export const SCAN_BURST_GAP_MS = 50;

export type ScannerState = 'connected' | 'disconnected';

export interface ScannerEvents {
  /** One complete scan, without its terminator. */
  line: [text: string];
  /** The scanner came or went (unplug/replug). */
  state: [state: ScannerState];
  /** A problem the service should log and show; the scanner keeps trying. */
  error: [err: ScannerError];
}

/**
 * A barcode scanner: turns what the cashier scans into lines.
 *
 * Contract, shared by every driver and the fake:
 * - The constructor does nothing; `start()` opens the device and resolves once
 *   it is listening (or once it is waiting for the device to appear; a missing
 *   device is reported as `state: 'disconnected'`, not a rejection, unless the
 *   configuration itself is wrong).
 * - Each scan is emitted once as `line`, in arrival order, terminator removed.
 *   A line longer than MAX_SCAN_CHARS is never buffered without bound: the
 *   driver keeps its first MAX_SCAN_CHARS + 1 characters and discards the rest
 *   up to the next terminator, so that the verifier rejects it as too long.
 * - One scan is one burst (SCAN_BURST_GAP_MS): lines that arrive before the
 *   input has been quiet that long after a scan belong to it and are not
 *   emitted; a scan that delivers 1,476 lines is one line event, one verdict.
 * - On unplug the driver emits `state: 'disconnected'` (a partial line is
 *   dropped), then retries with backoff and emits `state: 'connected'` when the
 *   device is back, without a restart.
 * - `stop()` releases the device, timers and listeners; no event after it
 *   resolves. stop() is idempotent.
 */
export interface Scanner extends EventEmitter<ScannerEvents> {
  readonly name: string;
  readonly state: ScannerState;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class ScannerError extends Error {
  constructor(
    readonly code: 'SCANNER_OPEN_FAILED' | 'SCANNER_DISCONNECTED' | 'SCANNER_IO' | 'SCANNER_MODULE_MISSING',
    message: string,
    readonly disconnected = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ScannerError';
  }
}
