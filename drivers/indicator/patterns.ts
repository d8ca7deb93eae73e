/**
 * What each signal looks and sounds like, as pure data: a list of steps, each
 * holding the three outputs for `ms` milliseconds. A pattern that does not
 * repeat ends with everything off; `fault` repeats until another signal.
 *
 * Durations are chosen so a cashier can tell the verdicts apart by ear alone:
 * one short beep (accepted), two short beeps (already redeemed), one long beep
 * (any other rejection), three short beeps (offline: the platform did not
 * answer a claim), silence (attention, fault). Offline lights red and green
 * together, the one pattern that does, so it is told apart by eye too.
 */
import type { Signal } from './port.js';
import type { OutputValues } from '../gpio/outputs.js';

export interface Step extends OutputValues {
  ms: number;
}

export interface Pattern {
  steps: readonly Step[];
  /** start again from the first step when the last one ends */
  repeat: boolean;
}

export const SHORT_BEEP_MS = 120;
export const DOUBLE_BEEP_MS = 100;
export const LONG_BEEP_MS = 600;
/** how long the verdict colour stays lit in total */
export const VERDICT_MS = 1500;
export const FLASH_MS = 250;
export const FAULT_HALF_PERIOD_MS = 1000;

function step(ms: number, lit: { green?: boolean; red?: boolean; buzzer?: boolean }): Step {
  return { green: lit.green ?? false, red: lit.red ?? false, buzzer: lit.buzzer ?? false, ms };
}

const D = DOUBLE_BEEP_MS;

export const PATTERNS: Readonly<Record<Signal, Pattern>> = Object.freeze({
  accepted: {
    repeat: false,
    steps: [step(SHORT_BEEP_MS, { green: true, buzzer: true }), step(VERDICT_MS - SHORT_BEEP_MS, { green: true })],
  },
  duplicate: {
    repeat: false,
    steps: [
      step(D, { red: true, buzzer: true }),
      step(D, { red: true }),
      step(D, { red: true, buzzer: true }),
      step(VERDICT_MS - 3 * D, { red: true }),
    ],
  },
  rejected: {
    repeat: false,
    steps: [step(LONG_BEEP_MS, { red: true, buzzer: true }), step(VERDICT_MS - LONG_BEEP_MS, { red: true })],
  },
  offline: {
    repeat: false,
    steps: [
      step(D, { red: true, green: true, buzzer: true }),
      step(D, { red: true, green: true }),
      step(D, { red: true, green: true, buzzer: true }),
      step(D, { red: true, green: true }),
      step(D, { red: true, green: true, buzzer: true }),
      step(VERDICT_MS - 5 * D, { red: true, green: true }),
    ],
  },
  attention: { repeat: false, steps: [step(FLASH_MS, { red: true })] },
  fault: { repeat: true, steps: [step(FAULT_HALF_PERIOD_MS, { red: true }), step(FAULT_HALF_PERIOD_MS, {})] },
  clear: { repeat: false, steps: [] },
});

/** Total length of one pass of a pattern (ms). */
export function patternLength(p: Pattern): number {
  return p.steps.reduce((sum, s) => sum + s.ms, 0);
}
