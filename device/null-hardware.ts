import type { Display } from '../drivers/display/port.js';
import type { Screen } from '../drivers/display/screen.js';
import type { Indicator } from '../drivers/indicator/port.js';

/** `--display none`: screens go nowhere (and, unlike FakeDisplay, are not kept). */
export class NullDisplay implements Display {
  readonly name = 'none';
  async start(): Promise<void> {}
  async show(_screen: Screen): Promise<void> {}
  async stop(): Promise<void> {}
}

/** `indicator.driver: "none"`: a kiosk without LEDs or buzzer. */
export class NullIndicator implements Indicator {
  readonly name = 'none';
  async start(): Promise<void> {}
  async signal(): Promise<void> {}
  async stop(): Promise<void> {}
}
