import type { Bitmap } from './bitmap.js';
import type { Icon } from './words.js';

/**
 * Icons are drawn from a few strokes scaled to the requested size, so the
 * 24-px icons of the 128×64 layout and the 16-px ones of the 128×32 layout
 * come from one definition. Coordinates are fractions of the icon's side.
 */
type Stroke = readonly [number, number, number, number];

const STROKES: Readonly<Record<Exclude<Icon, 'none'>, readonly Stroke[]>> = {
  check: [
    [0.1, 0.55, 0.38, 0.82],
    [0.38, 0.82, 0.9, 0.18],
  ],
  cross: [
    [0.15, 0.15, 0.85, 0.85],
    [0.85, 0.15, 0.15, 0.85],
  ],
  warning: [
    [0.5, 0.05, 0.05, 0.92],
    [0.05, 0.92, 0.95, 0.92],
    [0.95, 0.92, 0.5, 0.05],
    [0.5, 0.35, 0.5, 0.62],
  ],
  usb: [
    [0.3, 0.05, 0.7, 0.05],
    [0.3, 0.05, 0.3, 0.3],
    [0.7, 0.05, 0.7, 0.3],
    [0.15, 0.3, 0.85, 0.3],
    [0.15, 0.3, 0.15, 0.95],
    [0.85, 0.3, 0.85, 0.95],
    [0.15, 0.95, 0.85, 0.95],
  ],
};

/** Draws `icon` with its top-left corner at (x, y) in a `size`×`size` square. */
export function drawIcon(bmp: Bitmap, icon: Icon, x: number, y: number, size: number): void {
  if (icon === 'none') return;
  const thick = size >= 24 ? 3 : 2;
  const span = size - thick;
  for (const [x0, y0, x1, y1] of STROKES[icon]) {
    line(bmp, x + x0 * span, y + y0 * span, x + x1 * span, y + y1 * span, thick);
  }
  if (icon === 'warning') bmp.fillRect(Math.round(x + 0.5 * span), Math.round(y + 0.72 * span), thick, thick);
}

function line(bmp: Bitmap, x0: number, y0: number, x1: number, y1: number, thick: number): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)) * 2));
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    bmp.fillRect(Math.round(x0 + (x1 - x0) * t), Math.round(y0 + (y1 - y0) * t), thick, thick);
  }
}

/** 8×8 status-line marks as pixel art ('#' = on), language-neutral. */
const MARKS = {
  online: ['      ##', '      ##', '    ####', '    ####', '  ######', '  ######', '########', '########'],
  offline: ['#     # ', ' #   #  ', '  # #   ', '   #    ', '  # #   ', ' #   #  ', '#     # ', '        '],
  pending: ['   #    ', '  ###   ', ' # # #  ', '   #    ', '   #    ', '   #    ', '   #    ', '        '],
  clock: ['  ###   ', ' #   #  ', '#  #  # ', '#  ## # ', '#     # ', ' #   #  ', '  ###   ', '        '],
  noScanner: ['# ## # #', '# ## # #', '# ## # #', '# ## # #', '# ## # #', '# ## # #', '        ', '        '],
} as const;

export type Mark = keyof typeof MARKS;

/** Draws an 8×8 mark with its top-left corner at (x, y). */
export function drawMark(bmp: Bitmap, mark: Mark, x: number, y: number): void {
  MARKS[mark].forEach((row, dy) => {
    for (let dx = 0; dx < row.length; dx++) if (row[dx] === '#') bmp.set(x + dx, y + dy);
  });
}
