/**
 * LEDs and buzzer on GPIO lines: the patterns of patterns.ts played onto the
 * configured backend (gpiod by default, onoff as the legacy fallback).
 */
import type { GpioConfig } from '../config.js';
import type { Logger } from '../../device/logger.js';
import type { GpioOutputs } from '../gpio/outputs.js';
import { GpiodOutputs } from '../gpio/gpiod.js';
import { OnoffOutputs } from '../gpio/onoff.js';
import type { Indicator, Signal } from './port.js';
import { PATTERNS } from './patterns.js';
import { PatternPlayer } from './player.js';
import { realScheduler, type Scheduler } from './scheduler.js';

/**
 * The validated `indicator.gpio` config plus the logger. `backend` is the
 * config's choice ('gpiod' | 'onoff') or, for tests and the simulated kiosk,
 * ready-made outputs: `{ ...config.indicator.gpio, logger, backend: fake }`.
 */
export interface GpioIndicatorOptions extends Omit<GpioConfig, 'backend'> {
  backend: GpioConfig['backend'] | GpioOutputs;
  logger: Logger;
  scheduler?: Scheduler;
}

export class GpioIndicator implements Indicator {
  readonly name = 'gpio';
  private outputs: GpioOutputs | undefined;
  private player: PatternPlayer | undefined;
  private readonly logger: Logger;

  constructor(private readonly opts: GpioIndicatorOptions) {
    this.logger = opts.logger.child({ module: 'indicator' });
  }

  async start(): Promise<void> {
    const outputs = typeof this.opts.backend === 'object' ? this.opts.backend : this.makeBackend(this.opts.backend);
    await outputs.start?.();
    this.outputs = outputs;
    const onError = (err: unknown): void => this.logger.error({ err: String(err) }, 'indicator pattern step failed');
    this.player = new PatternPlayer(outputs, this.opts.scheduler ?? realScheduler(), onError);
  }

  async signal(s: Signal): Promise<void> {
    if (!this.player) throw new Error('GpioIndicator: signal() before start()');
    this.logger.debug({ signal: s }, 'indicator');
    await this.player.play(PATTERNS[s]);
  }

  async stop(): Promise<void> {
    const outputs = this.outputs;
    if (!outputs || !this.player) return;
    this.outputs = undefined;
    await this.player.stop().catch((err: unknown) => this.logger.warn({ err: String(err) }, 'could not turn the outputs off'));
    this.player = undefined;
    await outputs.stop?.();
  }

  private makeBackend(kind: GpioConfig['backend']): GpioOutputs {
    const { green, red, buzzer, activeLow, logger } = this.opts;
    const lines = { green, red, buzzer, activeLow, logger };
    return kind === 'onoff' ? new OnoffOutputs(lines) : new GpiodOutputs(lines);
  }
}
