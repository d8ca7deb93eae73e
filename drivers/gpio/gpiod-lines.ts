/**
 * From the configured lines to gpioset invocations: one group (one gpioset
 * process) per chip for lines given by offset, and one for lines given by
 * name (v2 resolves names itself, across chips). v1 cannot take names, so they
 * are resolved with `gpiofind NAME` (prints "gpiochip0 17") first.
 */
import type { GpioLine } from '../config.js';
import { GpioError, OUTPUTS, levelOf, type OutputName, type OutputValues } from './outputs.js';
import type { GpiodMode } from './gpiod-version.js';
import { runCommand, type SpawnFn } from './process.js';

export interface LineGroup {
  /** undefined: lines by name, resolved by gpioset (v2 only) */
  chip?: string;
  lines: { output: OutputName; id: string }[];
}

export type LineMap = Record<OutputName, GpioLine>;

/** v1 only: turn names into chip + offset with gpiofind. */
export async function resolveNames(spawn: SpawnFn, lines: LineMap): Promise<LineMap> {
  const out = { ...lines };
  for (const output of OUTPUTS) {
    const line = lines[output];
    if (!('name' in line)) continue;
    const r = await runCommand(spawn, 'gpiofind', [line.name]);
    const m = /^(\S+)\s+(\d+)\s*$/.exec(r.stdout.trim());
    if (r.code !== 0 || !m) {
      throw new GpioError('GPIO_LINE_NOT_FOUND', `GPIO line name "${line.name}" (${output}) not found by gpiofind; list the names with gpioinfo`);
    }
    out[output] = { chip: m[1]!, offset: Number(m[2]) };
  }
  return out;
}

export function groupLines(lines: LineMap): LineGroup[] {
  const groups = new Map<string, LineGroup>();
  for (const output of OUTPUTS) {
    const line = lines[output];
    const key = 'name' in line ? '' : `chip:${line.chip}`;
    let g = groups.get(key);
    if (!g) {
      g = 'name' in line ? { lines: [] } : { chip: line.chip, lines: [] };
      groups.set(key, g);
    }
    g.lines.push({ output, id: 'name' in line ? line.name : String(line.offset) });
  }
  return [...groups.values()];
}

/** "17=1 27=0" for a group, as levels on the wire. */
export function assignments(group: LineGroup, values: OutputValues, activeLow: boolean): string[] {
  return group.lines.map((l) => `${l.id}=${levelOf(values[l.output], activeLow)}`);
}

/** The argument list of a holding gpioset for this mode. */
export function gpiosetArgs(mode: GpiodMode, group: LineGroup, assign: string[], consumer: string): string[] {
  if (mode === 'v1') {
    if (group.chip === undefined) throw new GpioError('GPIO_LINE_NOT_FOUND', 'libgpiod v1 needs a chip for every line');
    return ['--mode=signal', group.chip, ...assign];
  }
  const chip = group.chip === undefined ? [] : ['-c', group.chip];
  return ['-C', consumer, ...chip, ...(mode === 'v2-interactive' ? ['-i'] : []), ...assign];
}
