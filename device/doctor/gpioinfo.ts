/**
 * Parse `gpioinfo` output of libgpiod v1 and v2:
 *
 *   gpiochip0 - 54 lines:
 *   v1:  line  17:   "GPIO17"   "gpioset"  output  active-high [used]
 *   v1:  line  18:   "GPIO18"      unused   input  active-high
 *   v2:  line  17:   "GPIO17"   output consumer="gpioset"
 *   v2:  line  18:   "GPIO18"   input
 */
export interface GpioLineInfo {
  chip: string;
  offset: number;
  name?: string;
  /** who holds the line; undefined when free */
  consumer?: string;
}

const CHIP = /^(\S+) - \d+ lines?:\s*$/;
const LINE = /^\s+line\s+(\d+):\s+(?:"([^"]*)"|(unnamed))\s*(.*)$/;

export function parseGpioinfo(text: string): GpioLineInfo[] {
  const lines: GpioLineInfo[] = [];
  let chip = '';
  for (const raw of text.split('\n')) {
    const c = CHIP.exec(raw);
    if (c) {
      chip = c[1]!;
      continue;
    }
    const l = LINE.exec(raw);
    if (!l || !chip) continue;
    const info: GpioLineInfo = { chip, offset: Number(l[1]) };
    if (l[2] !== undefined) info.name = l[2];
    const consumer = consumerOf(l[4] ?? '');
    if (consumer !== undefined) info.consumer = consumer;
    lines.push(info);
  }
  return lines;
}

function consumerOf(rest: string): string | undefined {
  const v2 = /consumer=(?:"([^"]*)"|(\S+))/.exec(rest);
  if (v2) return v2[1] ?? v2[2];
  const v1 = /^"([^"]*)"/.exec(rest);
  if (v1) return v1[1];
  // v1 marks kernel-held lines [used] even without a consumer label
  return /\[used/.test(rest) ? 'kernel' : undefined;
}
