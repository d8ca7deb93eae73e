/**
 * Records every write to the three outputs with its (virtual) time, so tests
 * can compare a whole timeline; also the outputs of the simulated kiosk when no
 * GPIO is wanted but the indicator logic should still run.
 */
import { ALL_OFF, type GpioOutputs, type OutputValues } from './outputs.js';

export interface TimelineEntry extends OutputValues {
  /** ms, from the injected clock */
  t: number;
}

export class FakeGpioOutputs implements GpioOutputs {
  readonly timeline: TimelineEntry[] = [];
  started = false;
  /** set to make the next `set` calls reject, as a failing line would */
  failWith: Error | undefined;

  constructor(private readonly now: () => number = () => 0) {}

  async start(): Promise<void> {
    this.started = true;
    this.record({ ...ALL_OFF });
  }

  set(values: OutputValues): Promise<void> {
    // recorded synchronously: the timeline must not depend on promise timing
    if (this.failWith) return Promise.reject(this.failWith);
    this.record(values);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.record({ ...ALL_OFF });
    this.started = false;
  }

  /** The current state (all off before any write). */
  get current(): OutputValues {
    const last = this.timeline[this.timeline.length - 1];
    return last ? { green: last.green, red: last.red, buzzer: last.buzzer } : { ...ALL_OFF };
  }

  private record(v: OutputValues): void {
    this.timeline.push({ t: this.now(), green: v.green, red: v.red, buzzer: v.buzzer });
  }
}
