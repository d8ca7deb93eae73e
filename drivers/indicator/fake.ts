import type { Indicator, Signal } from './port.js';

/** Records the signals given, with the time they were given (ms since start). */
export class FakeIndicator implements Indicator {
  readonly name = 'fake';
  readonly history: Signal[] = [];
  started = false;

  async start(): Promise<void> {
    this.started = true;
  }

  async signal(s: Signal): Promise<void> {
    this.history.push(s);
  }

  async stop(): Promise<void> {
    this.started = false;
  }
}
