/** GPIO: the chips' character devices, and the configured lines free for us. */
import path from 'node:path';
import type { GpioLine } from '../../drivers/config.js';
import { OUTPUTS } from '../../drivers/gpio/outputs.js';
import { GPIO_CONSUMER } from '../../drivers/gpio/gpiod.js';
import { checkDevice } from './device-checks.js';
import { parseGpioinfo } from './gpioinfo.js';
import { fail, ok, warn, type CheckResult, type DoctorContext } from './types.js';

export function chipDevice(chip: string): string {
  if (chip.startsWith('/')) return chip;
  return /^\d+$/.test(chip) ? `/dev/gpiochip${chip}` : `/dev/${chip}`;
}

export async function checkGpio(ctx: DoctorContext): Promise<CheckResult[]> {
  const ind = ctx.config!.indicator;
  if (ind.driver !== 'gpio' && ind.driver !== 'auto') return [ok('gpio', `indicator driver ${ind.driver}: no GPIO to check`)];
  const optional = ind.driver === 'auto';
  if (ind.gpio.backend === 'onoff') {
    return [warn('gpio', 'backend onoff (legacy sysfs): lines not checked', 'prefer indicator.gpio.backend "gpiod"')];
  }
  const lines = OUTPUTS.map((o) => ({ output: o, line: ind.gpio[o] }));
  const chips = [...new Set(lines.flatMap(({ line }) => ('chip' in line ? [line.chip] : [])))];
  const results: CheckResult[] = [];
  for (const chip of chips.length > 0 ? chips : ['gpiochip0']) {
    results.push(
      await checkDevice(ctx, {
        id: 'gpio.chip',
        path: chipDevice(chip),
        what: 'GPIO chip',
        missingFix: 'no such GPIO chip: list them with gpiodetect and correct indicator.gpio',
        ruleFix: `udev rule: SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660" and usermod -aG gpio ${ctx.user.name}`,
        optional,
      }),
    );
  }
  if (results.some((r) => r.status !== 'ok')) return results;
  return [...results, await checkLines(ctx, lines)];
}

async function checkLines(ctx: DoctorContext, lines: { output: string; line: GpioLine }[]): Promise<CheckResult> {
  const r = await ctx.env.run('gpioinfo', []);
  if (!r) return warn('gpio.lines', 'gpioinfo not installed: lines not checked', 'apt-get install gpiod (the indicator needs its gpioset too)');
  if (r.code !== 0) return warn('gpio.lines', `gpioinfo failed: ${r.stderr.trim()}`, `add user ${ctx.user.name} to group gpio; run doctor as that user`);
  const info = parseGpioinfo(r.stdout);
  const problems: string[] = [];
  const busy: string[] = [];
  for (const { output, line } of lines) {
    const found = info.find((i) => ('name' in line ? i.name === line.name : i.chip === path.basename(chipDevice(line.chip)) && i.offset === line.offset));
    const label = `${output} (${describe(line)})`;
    if (!found) problems.push(`${label} not found`);
    else if (found.consumer === 'gpioset') busy.push(`${label} held by gpioset`);
    else if (found.consumer !== undefined && found.consumer !== GPIO_CONSUMER) problems.push(`${label} used by "${found.consumer}"`);
  }
  if (problems.length > 0) {
    return fail('gpio.lines', problems.join('; '), 'pick free lines in indicator.gpio (gpioinfo lists them) or free them (dtoverlay, another service)');
  }
  if (busy.length > 0) return warn('gpio.lines', busy.join('; '), 'if the kiosk service is running this is its own gpioset (libgpiod v1 cannot name it); otherwise stop whatever runs gpioset');
  return ok('gpio.lines', `lines ${lines.map(({ output, line }) => `${output}=${describe(line)}`).join(', ')} free`);
}

function describe(line: GpioLine): string {
  return 'name' in line ? `"${line.name}"` : `${line.chip}:${line.offset}`;
}
