/** The system clock, injected so tests can set it back or forward. */
export interface Clock {
  /** milliseconds since 1970-01-01 UTC, as the system believes */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that a test (or the simulator) sets by hand. */
export class FakeClock implements Clock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
