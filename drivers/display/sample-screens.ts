import { REASONS } from '../../coupon/reasons.js';
import type { FaultCode, Screen, StatusLine } from './screen.js';

/** A normal shop: online, two redemptions waiting for upload. */
export const SAMPLE_STATUS: StatusLine = { online: true, pending: 2, clockWarning: false, scanner: 'connected' };

const FAULTS: readonly FaultCode[] = ['NO_KEYS', 'TERMINAL_DISABLED', 'CLOCK_UNTRUSTED', 'SCANNER_DISCONNECTED', 'DISK_FULL', 'LEDGER_ERROR', 'HARDWARE'];

/**
 * One example of every screen, for the screenshots, the layout tests and the
 * benchmark. `now` fixes the clock so ALREADY_REDEEMED's "when" is stable.
 */
export function sampleScreens(now: number): { name: string; screen: Screen }[] {
  const status = SAMPLE_STATUS;
  const out: { name: string; screen: Screen }[] = [{ name: 'idle', screen: { kind: 'idle', status } }];
  for (const reason of REASONS) {
    out.push({ name: `verdict-${reason.toLowerCase().replace(/_/g, '-')}`, screen: verdict(reason, now) });
  }
  const yesterday: Screen = { kind: 'verdict', reason: 'ALREADY_REDEEMED', redeemedAt: now - 26 * 3600_000, redeemedBy: 'till-01', status };
  out.push({ name: 'already-redeemed-yesterday', screen: yesterday });
  // claimed at another branch (online claim): the branch and the terminal there
  const elsewhere: Screen = { kind: 'verdict', reason: 'ALREADY_REDEEMED', redeemedAt: now - 12 * 60_000, redeemedBy: 'south/till-7', serial: 'A7K3-0042', status };
  out.push({ name: 'already-redeemed-other-branch', screen: elsewhere });
  for (const fault of FAULTS) {
    out.push({ name: `fault-${fault.toLowerCase().replace(/_/g, '-')}`, screen: { kind: 'fault', fault, status: faultStatus(fault) } });
  }
  out.push(
    { name: 'export-progress', screen: { kind: 'progress', label: 'export', done: 1240, total: 5000, status } },
    { name: 'upload-progress', screen: { kind: 'progress', label: 'upload', done: 5, total: 8, status } },
    { name: 'safe-to-remove', screen: { kind: 'message', message: 'safe-to-remove', count: 5000, status } },
    { name: 'safe-to-remove-skipped', screen: { kind: 'message', message: 'safe-to-remove', count: 1240, skipped: 12, status } },
    { name: 'safe-to-remove-nothing-new', screen: { kind: 'message', message: 'safe-to-remove', count: 0, status } },
    { name: 'export-interrupted', screen: { kind: 'message', message: 'export-interrupted', status } },
    { name: 'usb-full', screen: { kind: 'message', message: 'usb-full', status } },
    { name: 'usb-read-only', screen: { kind: 'message', message: 'usb-read-only', status } },
    { name: 'usb-not-marked', screen: { kind: 'message', message: 'usb-not-marked', status } },
    { name: 'export-failed', screen: { kind: 'message', message: 'export-failed', detail: 'SEQUENCE_CONFLICT', status } },
    { name: 'starting', screen: { kind: 'message', message: 'starting', status: { ...status, online: null, pending: 0 } } },
    { name: 'stopping', screen: { kind: 'message', message: 'stopping', status } },
    { name: 'status-offline-warnings', screen: { kind: 'idle', status: { online: false, pending: 137, clockWarning: true, scanner: 'disconnected' } } },
  );
  return out;
}

function verdict(reason: (typeof REASONS)[number], now: number): Screen {
  const status = SAMPLE_STATUS;
  if (reason === 'ACCEPTED' || reason === 'VALID') {
    return { kind: 'verdict', reason, title: 'Hotpot set for two', quantity: 2, serial: 'A7K3-0042', status };
  }
  if (reason === 'ALREADY_REDEEMED') {
    return { kind: 'verdict', reason, redeemedAt: now - 47 * 60_000, redeemedBy: 'till-02', serial: 'A7K3-0042', status };
  }
  if (reason === 'EXPIRED' || reason === 'REVOKED') return { kind: 'verdict', reason, title: 'Hotpot set for two', serial: 'A7K3-0042', status };
  // the claim verdicts: the platform did not answer (status line offline), or refused with a code
  if (reason === 'OFFLINE_CANNOT_REDEEM') return { kind: 'verdict', reason, quantity: 2, serial: 'A7K3-0042', status: { ...status, online: false } };
  if (reason === 'OFFLINE_LIMIT_REACHED') return { kind: 'verdict', reason, quantity: 12, serial: 'A7K3-0042', detail: 'max qty 10', status: { ...status, online: false } };
  if (reason === 'PLATFORM_REFUSED') return { kind: 'verdict', reason, serial: 'A7K3-0042', detail: 'SCAN_IN_FUTURE', status };
  return { kind: 'verdict', reason, status };
}

function faultStatus(fault: FaultCode): StatusLine {
  if (fault === 'SCANNER_DISCONNECTED') return { ...SAMPLE_STATUS, scanner: 'disconnected' };
  if (fault === 'CLOCK_UNTRUSTED') return { ...SAMPLE_STATUS, clockWarning: true };
  return SAMPLE_STATUS;
}
