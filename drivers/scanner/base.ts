import { EventEmitter } from 'node:events';
import type { Logger } from '../../device/logger.js';
import type { ScannerError, ScannerEvents, ScannerState } from './port.js';

/** What every scanner driver shares: the state, and errors that never crash the kiosk. */
export abstract class ScannerBase extends EventEmitter<ScannerEvents> {
  state: ScannerState = 'disconnected';

  protected constructor(protected readonly log: Logger) {
    super();
  }

  protected setState(state: ScannerState, force = false): void {
    if (this.state === state && !force) return;
    this.state = state;
    this.log.info({ state }, 'scanner state');
    this.emit('state', state);
  }

  /** The line framer's `onDiscard`: lines that followed a scan in its burst were taken as part of it. */
  protected readonly onBurstDiscard = (lines: number): void => {
    this.log.warn({ lines }, 'lines that came in the same burst as a scan were taken as part of it and ignored');
  };

  /**
   * Log the error and hand it to the service. An EventEmitter throws an
   * 'error' nobody listens to, and a scanner problem must never take the
   * kiosk down, so without a listener it is only logged.
   */
  protected report(err: ScannerError): void {
    this.log.warn({ code: err.code, err: err.message }, 'scanner problem');
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
