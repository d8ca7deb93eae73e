import type { Reason } from '../../coupon/reasons.js';

export type Language = 'en' | 'zh';

/** The status line at the bottom of every screen. */
export interface StatusLine {
  /** null when the kiosk has no uplink configured */
  online: boolean | null;
  /** redemptions not yet confirmed by the platform */
  pending: number;
  /** seconds since the last successful sync (any platform's latest); null: never; absent: no uplink */
  sinceSyncS?: number | null;
  /** coupons the platform reports redeemed at two terminals, this one among them */
  conflicts?: number;
  /** the system clock is behind the trusted time */
  clockWarning: boolean;
  scanner: 'connected' | 'disconnected';
}

export type FaultCode =
  | 'NO_KEYS'
  | 'TERMINAL_DISABLED'
  | 'CLOCK_UNTRUSTED'
  | 'SCANNER_DISCONNECTED'
  | 'DISK_FULL'
  | 'LEDGER_ERROR'
  | 'HARDWARE';

/**
 * What the screen shows: a model, not pixels. Drivers (SSD1306, terminal,
 * plain text, fake) render it in the configured language.
 */
export type Screen =
  | { kind: 'idle'; status: StatusLine }
  | {
      kind: 'verdict';
      reason: Reason;
      status: StatusLine;
      /** from the verified claims, when known */
      title?: string;
      quantity?: number;
      serial?: string;
      /** ALREADY_REDEEMED: when (Unix ms) and at which terminal the first redemption was */
      redeemedAt?: number;
      redeemedBy?: string;
      /** extra detail for technicians; short */
      detail?: string;
    }
  | { kind: 'fault'; fault: FaultCode; detail?: string; status: StatusLine }
  | { kind: 'progress'; label: 'export' | 'upload'; done: number; total: number; status: StatusLine }
  | {
      kind: 'message';
      message: MessageKind;
      detail?: string;
      /** safe-to-remove: records exported (0: nothing new); records left because their platform cannot sign */
      count?: number;
      skipped?: number;
      status: StatusLine;
    };

/** What a message screen says; the export ones are for the manager with a stick (docs/screens.md). */
export type MessageKind =
  | 'starting'
  | 'stopping'
  | 'safe-to-remove'
  | 'export-failed'
  | 'export-interrupted'
  | 'usb-full'
  | 'usb-read-only'
  | 'usb-not-marked';
