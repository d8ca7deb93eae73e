/**
 * Legacy backend through sysfs (/sys/class/gpio) with the `onoff` package.
 * The kernel deprecated that interface (and newer Raspberry Pi kernels number
 * its lines from 512), so this is only for old images; prefer backend gpiod.
 * `onoff` is not a dependency: it is imported on first use.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { GpioLine } from '../config.js';
import type { Logger } from '../../device/logger.js';
import { ALL_OFF, GpioError, OUTPUTS, levelOf, type GpioOutputs, type OutputName, type OutputValues } from './outputs.js';

/** The part of onoff's Gpio class we use. */
export interface OnoffGpio {
  write(value: 0 | 1): Promise<void>;
  unexport(): void;
}
export type OnoffGpioClass = new (gpio: number, direction: 'high' | 'low') => OnoffGpio;

export interface OnoffOptions {
  green: GpioLine;
  red: GpioLine;
  buzzer: GpioLine;
  activeLow: boolean;
  logger: Logger;
  /** injected by tests; default: `(await import('onoff')).Gpio` */
  Gpio?: OnoffGpioClass;
  /** sysfs number of a chip's first line; default reads /sys/class/gpio */
  chipBase?: (chip: string) => number;
}

export const ONOFF_FIX = 'npm install onoff (legacy sysfs GPIO; prefer backend gpiod)';

export async function loadOnoff(): Promise<OnoffGpioClass> {
  try {
    const name = 'onoff'; // a variable, so the compiler does not demand the module
    const mod = (await import(name)) as { Gpio: OnoffGpioClass };
    return mod.Gpio;
  } catch (err) {
    throw new GpioError('ONOFF_MISSING', `the onoff module is not installed: ${ONOFF_FIX}`, { cause: err });
  }
}

export class OnoffOutputs implements GpioOutputs {
  private pins: Partial<Record<OutputName, OnoffGpio>> = {};

  constructor(private readonly opts: OnoffOptions) {}

  async start(): Promise<void> {
    const Gpio = this.opts.Gpio ?? (await loadOnoff());
    const base = this.opts.chipBase ?? sysfsChipBase;
    const off = levelOf(false, this.opts.activeLow) === 1 ? 'high' : 'low';
    for (const output of OUTPUTS) this.pins[output] = new Gpio(sysfsNumber(this.opts[output], output, base), off);
    this.opts.logger.child({ module: 'gpio-onoff' }).warn('using the deprecated sysfs GPIO interface; prefer backend gpiod');
  }

  async set(values: OutputValues): Promise<void> {
    await Promise.all(OUTPUTS.map((o) => this.pin(o).write(levelOf(values[o], this.opts.activeLow))));
  }

  async stop(): Promise<void> {
    if (!this.pins.green) return;
    await this.set({ ...ALL_OFF });
    for (const o of OUTPUTS) this.pins[o]?.unexport();
    this.pins = {};
  }

  private pin(o: OutputName): OnoffGpio {
    const p = this.pins[o];
    if (!p) throw new GpioError('GPIO_NOT_STARTED', 'onoff outputs: set() before start()');
    return p;
  }
}

function sysfsNumber(line: GpioLine, output: OutputName, base: (chip: string) => number): number {
  if ('name' in line) {
    throw new GpioError('ONOFF_LINE', `${output}: line name "${line.name}" needs backend gpiod; onoff takes {"chip", "offset"}`);
  }
  return base(line.chip) + line.offset;
}

/** /sys/class/gpio/gpiochipBASE/device/gpiochipN exists for character device gpiochipN. */
export function sysfsChipBase(chip: string, root = '/sys/class/gpio'): number {
  const name = `gpiochip${/(\d+)$/.exec(chip)?.[1] ?? chip}`;
  const entries = existsSync(root) ? readdirSync(root).filter((e) => e.startsWith('gpiochip')) : [];
  for (const e of entries) {
    if (existsSync(path.join(root, e, 'device', name))) return Number(readFileSync(path.join(root, e, 'base'), 'utf8').trim());
  }
  throw new GpioError('ONOFF_LINE', `no sysfs GPIO chip for ${chip} under ${root}; the kernel may lack CONFIG_GPIO_SYSFS: use backend gpiod`);
}
