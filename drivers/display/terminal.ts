import type { Bitmap } from './bitmap.js';
import { NO_GLYPHS, type GlyphSource } from './glyph.js';
import { renderScreen } from './layout.js';
import type { Display } from './port.js';
import type { Language, Screen } from './screen.js';
import { UnifontSource } from './unifont.js';
import { screenText } from './words.js';

export interface TerminalDisplayOptions {
  out: NodeJS.WritableStream;
  /** 'blocks': the 128×64 panel drawn with half blocks; 'text': the same words as plain lines */
  mode: 'blocks' | 'text';
  language: Language;
  /** Unifont .hex for non-ASCII glyphs in 'blocks' mode; without it they are boxes */
  unifontPath?: string;
}

const HOME = '\x1b[H';
const CLEAR = '\x1b[2J';

/**
 * The simulated kiosk's screen. On a TTY each frame replaces the last (cursor
 * home, no scrolling); into a pipe or file frames are appended, separated by
 * a blank line, so logs stay readable. Writing to a terminal is quick, so
 * there is nothing to coalesce.
 */
export class TerminalDisplay implements Display {
  readonly name: string;
  private font: GlyphSource = NO_GLYPHS;
  private cleared = false;

  constructor(private readonly opts: TerminalDisplayOptions) {
    this.name = `terminal-${opts.mode}`;
  }

  async start(): Promise<void> {
    if (this.opts.mode !== 'blocks' || !this.opts.unifontPath) return;
    const unifont = new UnifontSource(this.opts.unifontPath);
    if (await unifont.load()) this.font = unifont;
  }

  async show(screen: Screen): Promise<void> {
    const { out, mode, language } = this.opts;
    const body =
      mode === 'text'
        ? screenText(screen, language).join('\n')
        : halfBlocks(renderScreen(screen, { width: 128, height: 64, language, font: this.font }));
    if (isTty(out)) {
      const prefix = this.cleared ? HOME : HOME + CLEAR;
      this.cleared = true;
      // Clear each line's tail so a shorter text frame leaves nothing behind.
      out.write(prefix + body.split('\n').join('\x1b[K\n') + '\x1b[K\x1b[J\n');
    } else {
      out.write(body + '\n\n');
    }
  }

  async stop(): Promise<void> {
    this.font = NO_GLYPHS;
    this.cleared = false;
  }
}

const BLOCKS = [' ', '▀', '▄', '█'] as const;

/** Two pixel rows per character line, one column per pixel: 128 columns × 32 lines for 128×64. */
export function halfBlocks(bmp: Bitmap): string {
  const lines: string[] = [];
  for (let y = 0; y < bmp.height; y += 2) {
    let line = '';
    for (let x = 0; x < bmp.width; x++) {
      line += BLOCKS[(bmp.get(x, y) ? 1 : 0) | (bmp.get(x, y + 1) ? 2 : 0)];
    }
    lines.push(line); // full width: an empty pixel row is not a blank line (that separates frames)
  }
  return lines.join('\n');
}

function isTty(out: NodeJS.WritableStream): boolean {
  return (out as { isTTY?: boolean }).isTTY === true;
}
