import type { Indicator, Signal } from './port.js';

/** Records the signals given, with the time they were given (ms since start). */
export class FakeIndicator implements Indicator {
  readonly name = 'fake';
  readonly history: Signal[] = [];
  /** `at[i]` is when `history[i]` was given, from the injected clock (0 without one) */
  readonly at: number[] = [];
  started = false;

  constructor(private readonly now: () => number = () => 0) {}

  async start(): Promise<void> {
    this.started = true;
  }

  async signal(s: Signal): Promise<void> {
    this.history.push(s);
    this.at.push(this.now());
  }

  async stop(): Promise<void> {
    this.started = false;
  }
}
