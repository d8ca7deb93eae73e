/**
 * GPIO through the character device, driven by libgpiod's own `gpioset` tool
 * (Debian package `gpiod`) instead of a native binding: nothing to compile,
 * the same tool a technician uses by hand, and the kernel releases the lines
 * when the process ends, even if the kiosk crashes. See gpiod-version.ts for
 * the v1/v2 differences and gpioset-holder.ts for how the lines are held.
 */
import type { GpioLine } from '../config.js';
import type { Logger } from '../../device/logger.js';
import { ALL_OFF, GpioError, type GpioOutputs, type OutputValues } from './outputs.js';
import { detectGpiodMode, type GpiodMode } from './gpiod-version.js';
import { assignments, gpiosetArgs, groupLines, resolveNames, type LineGroup, type LineMap } from './gpiod-lines.js';
import { GpiosetHolder } from './gpioset-holder.js';
import { spawnProcess, type SpawnFn } from './process.js';

export interface GpiodOptions {
  green: GpioLine;
  red: GpioLine;
  buzzer: GpioLine;
  activeLow: boolean;
  logger: Logger;
  spawn?: SpawnFn;
  /** skip detection (tests, or a technician who knows) */
  mode?: GpiodMode;
  /** shown by gpioinfo as the lines' consumer (v2 only) */
  consumer?: string;
}

export const GPIO_CONSUMER = 'coupon-kiosk';

export class GpiodOutputs implements GpioOutputs {
  private holders: { group: LineGroup; holder: GpiosetHolder }[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly opts: GpiodOptions) {
    this.logger = opts.logger.child({ module: 'gpio-gpiod' });
  }

  async start(): Promise<void> {
    const spawn = this.opts.spawn ?? spawnProcess;
    const mode = this.opts.mode ?? (await detectGpiodMode(spawn));
    const configured: LineMap = { green: this.opts.green, red: this.opts.red, buzzer: this.opts.buzzer };
    const lines = mode === 'v1' ? await resolveNames(spawn, configured) : configured;
    const consumer = this.opts.consumer ?? GPIO_CONSUMER;
    this.holders = groupLines(lines).map((group) => ({
      group,
      holder: new GpiosetHolder(spawn, mode, (assign) => gpiosetArgs(mode, group, assign, consumer), this.logger),
    }));
    this.logger.info({ mode, groups: this.holders.length }, 'gpio lines claimed through gpioset');
    await this.set({ ...ALL_OFF });
  }

  /** Writes are queued so that a restart in v1/v2 mode never overlaps the next one. */
  set(values: OutputValues): Promise<void> {
    if (this.holders.length === 0) return Promise.reject(new GpioError('GPIO_NOT_STARTED', 'gpiod outputs: set() before start()'));
    const v = { ...values };
    const run = this.queue.then(() => this.applyAll(v));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    if (this.holders.length === 0) return;
    await this.set({ ...ALL_OFF }).catch((err: unknown) => this.logger.warn({ err: String(err) }, 'could not turn the outputs off'));
    const holders = this.holders;
    this.holders = [];
    await Promise.all(holders.map((h) => h.holder.release()));
  }

  private async applyAll(values: OutputValues): Promise<void> {
    for (const { group, holder } of this.holders) await holder.apply(assignments(group, values, this.opts.activeLow));
  }
}
