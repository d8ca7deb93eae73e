import type { Display } from './port.js';
import type { Screen } from './screen.js';

/** Records every screen shown; `failNext` makes the next show() reject. */
export class FakeDisplay implements Display {
  readonly name = 'fake';
  readonly shown: Screen[] = [];
  started = false;
  private failures = 0;

  async start(): Promise<void> {
    this.started = true;
  }

  async show(screen: Screen): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('FakeDisplay: injected write failure');
    }
    this.shown.push(screen);
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  get last(): Screen | undefined {
    return this.shown[this.shown.length - 1];
  }

  failNext(n = 1): void {
    this.failures += n;
  }
}
