/**
 * The indicator of the simulated kiosk (and of a kiosk without LEDs): each
 * signal as one coloured line on a terminal, plus a log entry, so a developer
 * sees and "hears" the verdict the cashier would.
 */
import type { Logger } from '../../device/logger.js';
import type { Indicator, Signal } from './port.js';

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const BLINK_RED = '\x1b[5;31m';
const RESET = '\x1b[0m';

/** What each signal prints; clear prints only when it ends a fault. */
export const LOG_LINES: Readonly<Record<Exclude<Signal, 'clear'>, { color: string; text: string }>> = Object.freeze({
  accepted: { color: GREEN, text: '✔ ACCEPTED  (green, beep)' },
  duplicate: { color: RED, text: '✘✘ ALREADY REDEEMED  (red, beep-beep)' },
  rejected: { color: RED, text: '✘ REJECTED  (red, long beeeep)' },
  offline: { color: YELLOW, text: '⚠ OFFLINE  (red+green, beep-beep-beep)' },
  attention: { color: YELLOW, text: '! attention  (red flash)' },
  fault: { color: BLINK_RED, text: '✘ FAULT  (red blinking until cleared)' },
});

export interface LogIndicatorOptions {
  logger: Logger;
  /** default process.stdout */
  out?: NodeJS.WritableStream;
  /** default: out is a TTY and NO_COLOR is unset */
  color?: boolean;
}

export class LogIndicator implements Indicator {
  readonly name = 'log';
  private readonly logger: Logger;
  private inFault = false;

  constructor(private readonly opts: LogIndicatorOptions) {
    this.logger = opts.logger.child({ module: 'indicator' });
  }

  async start(): Promise<void> {
    this.inFault = false;
  }

  async signal(s: Signal): Promise<void> {
    this.logger.info({ signal: s }, 'indicator');
    if (s === 'clear') {
      if (this.inFault) this.write(YELLOW, '· fault cleared');
    } else {
      const line = LOG_LINES[s];
      this.write(line.color, line.text);
    }
    this.inFault = s === 'fault';
  }

  async stop(): Promise<void> {
    this.inFault = false;
  }

  private write(color: string, text: string): void {
    const out = this.opts.out ?? process.stdout;
    const useColor = this.opts.color ?? (Boolean((out as { isTTY?: boolean }).isTTY) && !process.env['NO_COLOR']);
    out.write(useColor ? `${color}${text}${RESET}\n` : `${text}\n`);
  }
}
