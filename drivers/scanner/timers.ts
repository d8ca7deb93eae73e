/**
 * The timer functions the scanner drivers use, injected so tests can run the
 * inter-character timeout and the reconnect backoff without real waiting.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** a monotonic clock in ms (when bytes arrived: one scan is one burst) */
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};

/** A hand-driven clock for tests: `advance(ms)` fires what has come due, in order. */
export class FakeTimers implements Timers {
  private clock = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.clock + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** How many timers are armed (a stopped driver must leave none). */
  get armed(): number {
    return this.pending.size;
  }

  now(): number {
    return this.clock;
  }

  advance(ms: number): void {
    const until = this.clock + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.clock = due[1].at;
      due[1].fn();
    }
    this.clock = until;
  }
}
