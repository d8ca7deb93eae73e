import type { Screen } from './screen.js';

/**
 * The screen the cashier glances at.
 *
 * Contract:
 * - The constructor does nothing; `start()` opens and initialises the panel.
 * - `show(screen)` resolves when the screen is on the panel. Calls may come
 *   faster than the panel can draw: a driver may skip intermediate screens but
 *   always ends on the last one shown, and never blocks the event loop for more
 *   than a few milliseconds.
 * - A write error rejects `show()` with a DisplayError; the next `show()` tries
 *   again (a loose cable must not stop the kiosk from redeeming).
 * - `stop()` blanks or sleeps the panel and releases the bus; idempotent.
 */
export interface Display {
  readonly name: string;
  start(): Promise<void>;
  show(screen: Screen): Promise<void>;
  stop(): Promise<void>;
}

export class DisplayError extends Error {
  constructor(
    readonly code: 'DISPLAY_OPEN_FAILED' | 'DISPLAY_IO' | 'DISPLAY_MODULE_MISSING',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DisplayError';
  }
}
