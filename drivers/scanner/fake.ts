import { EventEmitter } from 'node:events';
import type { Scanner, ScannerEvents, ScannerState } from './port.js';

/** A scanner a test (or the simulator) drives by hand. */
export class FakeScanner extends EventEmitter<ScannerEvents> implements Scanner {
  readonly name = 'fake';
  state: ScannerState = 'disconnected';
  started = false;

  async start(): Promise<void> {
    this.started = true;
    this.setState('connected');
  }

  async stop(): Promise<void> {
    this.started = false;
    this.state = 'disconnected';
  }

  /** Deliver one scan, as a driver would after framing. */
  emitLine(text: string): void {
    if (!this.started) throw new Error('FakeScanner: emitLine before start()');
    this.emit('line', text);
  }

  /** Simulate unplug (`disconnected`) or replug (`connected`). */
  setState(state: ScannerState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }
}
