/**
 * From kiosk state to screen models and indicator signals: pure functions, so
 * the mapping is table-tested without any timers or drivers.
 */
import type { FaultCode, Screen, StatusLine } from '../drivers/display/screen.js';
import type { Signal } from '../drivers/indicator/port.js';
import type { Verdict } from './verdict.js';

/**
 * Faults the idle screen shows instead of "ready", most urgent first. A clock
 * warning is not here: the kiosk still redeems correctly with the trusted time,
 * so it stays in the status line after its first announcement.
 */
export const BLOCKING_FAULTS: readonly FaultCode[] = ['DISK_FULL', 'LEDGER_ERROR', 'TERMINAL_DISABLED', 'NO_KEYS', 'SCANNER_DISCONNECTED', 'HARDWARE'];

export function verdictScreen(v: Verdict, status: StatusLine): Screen {
  if (v.kind === 'fault') return { kind: 'fault', fault: v.fault, detail: v.code, status };
  const screen: Screen = { kind: 'verdict', reason: v.reason, status };
  if (v.serial !== undefined) screen.serial = v.serial;
  if (v.claims) {
    screen.quantity = v.claims.quantity;
    if (v.claims.title !== undefined) screen.title = v.claims.title;
    else screen.title = v.claims.product;
  }
  if (v.redeemedAt !== undefined) screen.redeemedAt = v.redeemedAt;
  if (v.redeemedBy !== undefined) screen.redeemedBy = v.redeemedBranch !== undefined ? `${v.redeemedBranch}/${v.redeemedBy}` : v.redeemedBy;
  if (v.detail !== undefined) screen.detail = v.detail;
  return screen;
}

/** A screen the kiosk shows instead of idle while it is set (USB export progress and outcome), without its status line. */
export type ActivityScreen =
  | Omit<Extract<Screen, { kind: 'progress' }>, 'status'>
  | Omit<Extract<Screen, { kind: 'message' }>, 'status'>;

/** The resting screen: the most urgent blocking fault, or idle. */
export function restingScreen(faults: ReadonlyMap<FaultCode, string>, status: StatusLine, activity?: ActivityScreen): Screen {
  // the manager with a stick in hand needs the export's screen even while, say, the scanner is unplugged
  if (activity !== undefined) return { ...activity, status } as Screen;
  for (const code of BLOCKING_FAULTS) {
    const detail = faults.get(code);
    if (detail !== undefined) return { kind: 'fault', fault: code, detail: shortDetail(detail), status };
  }
  return { kind: 'idle', status };
}

export function faultScreen(fault: FaultCode, detail: string, status: StatusLine): Screen {
  return { kind: 'fault', fault, detail: shortDetail(detail), status };
}

export function signalFor(v: Verdict): Signal {
  if (v.kind === 'fault') return 'fault';
  if (v.reason === 'ACCEPTED') return 'accepted';
  if (v.reason === 'ALREADY_REDEEMED') return 'duplicate';
  if (v.reason === 'OFFLINE_CANNOT_REDEEM' || v.reason === 'OFFLINE_LIMIT_REACHED') return 'offline';
  return 'rejected';
}

/** Details are for technicians on a 128×64 panel: keep them short. */
function shortDetail(detail: string): string {
  return detail.length > 60 ? detail.slice(0, 59) + '…' : detail;
}
