/**
 * What the LEDs and buzzer say; one distinct pattern each:
 * - accepted: one short beep, green
 * - duplicate: two beeps, red (ALREADY_REDEEMED)
 * - rejected: one long beep, red (any other rejection)
 * - offline: three short beeps, red and green together (the platform did not
 *   answer the claim: OFFLINE_CANNOT_REDEEM, OFFLINE_LIMIT_REACHED)
 * - attention: short red flash, no sound (e.g. USB stick ready)
 * - fault: slow red blink until `clear`
 * - clear: all off
 */
export type Signal = 'accepted' | 'duplicate' | 'rejected' | 'offline' | 'attention' | 'fault' | 'clear';

/**
 * LEDs and buzzer.
 *
 * Contract:
 * - `start()` claims the lines (all off); `stop()` turns all off and releases them.
 * - `signal(s)` starts the pattern and resolves at once (patterns play in the
 *   background); a new signal cuts the one playing. `fault` repeats until another
 *   signal. Errors are reported through the returned promise, never thrown
 *   synchronously.
 */
export interface Indicator {
  readonly name: string;
  start(): Promise<void>;
  signal(s: Signal): Promise<void>;
  stop(): Promise<void>;
}
