/**
 * Plays a pattern onto GpioOutputs in the background. A new `play` cancels the
 * running timeline before its first step; `stop()` cancels and turns all off.
 *
 * Each step's `set` is issued and the next step scheduled in the same tick, so
 * the timeline follows the scheduler exactly (a slow backend queues writes in
 * order rather than stretching the pattern).
 */
import { ALL_OFF, type GpioOutputs, type OutputValues } from '../gpio/outputs.js';
import type { Pattern } from './patterns.js';
import type { Scheduler } from './scheduler.js';

export class PatternPlayer {
  private timer: unknown;
  private generation = 0;

  constructor(
    private readonly outputs: GpioOutputs,
    private readonly scheduler: Scheduler,
    /** errors of steps after the first, which no caller awaits */
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Resolves (or rejects) once the first step is applied; the rest plays in the background. */
  play(pattern: Pattern): Promise<void> {
    this.cancel();
    const gen = this.generation;
    if (pattern.steps.length === 0) return this.outputs.set({ ...ALL_OFF });
    return this.runStep(pattern, 0, gen);
  }

  /** Cancel the running pattern and turn all off. */
  stop(): Promise<void> {
    this.cancel();
    return this.outputs.set({ ...ALL_OFF });
  }

  private cancel(): void {
    this.generation++;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private runStep(pattern: Pattern, index: number, gen: number): Promise<void> {
    const s = pattern.steps[index];
    const values: OutputValues = s ? { green: s.green, red: s.red, buzzer: s.buzzer } : { ...ALL_OFF };
    const applied = this.outputs.set(values);
    if (s) {
      const next = index + 1 < pattern.steps.length ? index + 1 : pattern.repeat ? 0 : pattern.steps.length;
      this.timer = this.scheduler.setTimeout(() => {
        this.timer = undefined;
        if (gen === this.generation) this.runStep(pattern, next, gen).catch(this.onError);
      }, s.ms);
    }
    return applied;
  }
}
