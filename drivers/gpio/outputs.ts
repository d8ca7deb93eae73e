/**
 * The three indicator outputs as one unit. The indicator player drives an
 * abstract `GpioOutputs`; the gpiod and onoff backends (and the fake) implement
 * it. Values are logical (true = LED lit / buzzer sounding); each backend maps
 * them to line levels, inverting for active-low wiring.
 */
export interface OutputValues {
  green: boolean;
  red: boolean;
  buzzer: boolean;
}

export const OUTPUTS = ['green', 'red', 'buzzer'] as const;
export type OutputName = (typeof OUTPUTS)[number];

export const ALL_OFF: Readonly<OutputValues> = Object.freeze({ green: false, red: false, buzzer: false });

export interface GpioOutputs {
  /** Claim the lines, all off. Optional: a plain test double needs no lifecycle. */
  start?(): Promise<void>;
  /** Drive all three outputs at once. */
  set(values: OutputValues): Promise<void>;
  /** All off, then release the lines. */
  stop?(): Promise<void>;
}

/** The line level (0/1) for a logical value. */
export function levelOf(on: boolean, activeLow: boolean): 0 | 1 {
  return on !== activeLow ? 1 : 0;
}

/** Errors of the GPIO backends, with stable codes; messages name the fix. */
export class GpioError extends Error {
  constructor(
    readonly code: 'GPIOD_MISSING' | 'GPIOD_FAILED' | 'GPIO_LINE_NOT_FOUND' | 'ONOFF_MISSING' | 'ONOFF_LINE' | 'GPIO_NOT_STARTED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GpioError';
  }
}
