import type { Terminator } from '../config.js';
import { MAX_SCAN_CHARS } from './port.js';
import { realTimers, type Timers } from './timers.js';

/**
 * Splits decoded scanner text into lines, shared by the stdin and serial drivers.
 *
 * Why not `@serialport/parser-readline` (the stack's serial parser)? Its
 * DelimiterParser concatenates every chunk until the delimiter shows up, so a
 * scanner (or a noisy line) that never sends the terminator grows the buffer
 * without bound, and it knows one fixed delimiter: no CR-or-LF auto-detection
 * with the LF of a CRLF swallowed across chunk boundaries, and no
 * inter-character timeout. All three are what the scanner contract needs, and
 * the bound has to hold for every terminator, so one small framer does the
 * framing for every mode instead of ReadlineParser plus a second layer.
 *
 * Rules:
 * - 'CR' / 'LF': that character ends a line; the other one is ordinary data.
 * - 'CRLF': only CR followed by LF ends a line (also split across chunks);
 *   a lone CR is data.
 * - 'auto': CR or LF ends a line; an LF right after a CR is swallowed, even
 *   when it arrives in the next chunk, so CRLF scanners give one line.
 * - Empty lines are not scans and are not emitted.
 * - A line longer than `maxChars` keeps its first `maxChars + 1` characters and
 *   the rest is discarded up to the next terminator, so the verifier still sees
 *   it (and rejects it as too long) but memory stays bounded.
 * - `interCharTimeoutMs > 0`: a partial line ends after that much silence.
 */
export interface LineFramerOptions {
  terminator: Terminator;
  /** 0 = off */
  interCharTimeoutMs?: number;
  maxChars?: number;
  timers?: Timers;
}

const CR = '\r';
const LF = '\n';

export class LineFramer {
  private readonly terminator: Terminator;
  private readonly keep: number;
  private readonly timeoutMs: number;
  private readonly timers: Timers;
  private parts: string[] = [];
  private length = 0;
  /** characters of the current line were discarded (it is overlong) */
  private dropped = false;
  /** the last character of the previous chunk was a CR: in 'auto' a following LF is swallowed, in 'CRLF' it ends the line */
  private afterCr = false;
  private timer: unknown = undefined;

  constructor(opts: LineFramerOptions, private readonly onLine: (line: string) => void) {
    this.terminator = opts.terminator;
    this.keep = (opts.maxChars ?? MAX_SCAN_CHARS) + 1;
    this.timeoutMs = opts.interCharTimeoutMs ?? 0;
    this.timers = opts.timers ?? realTimers;
  }

  /** Feed decoded text; complete lines go to `onLine` synchronously. */
  push(text: string): void {
    this.disarm();
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c !== CR && c !== LF) continue;
      const ends = this.endsLine(c, i > 0 ? text[i - 1] === CR : this.afterCr);
      if (ends === 'data') continue;
      this.append(text.slice(start, i));
      start = i + 1;
      if (ends === 'line') this.end();
    }
    this.append(text.slice(start));
    if (text.length > 0) this.afterCr = text[text.length - 1] === CR;
    this.arm();
  }

  /** End of input: a partial last line still counts (as with readline). */
  flush(): void {
    this.disarm();
    this.end();
  }

  /** Drop a partial line (unplug) and forget any pending CR. */
  reset(): void {
    this.disarm();
    this.clear();
    this.afterCr = false;
  }

  /** Decide what one CR or LF means here, given whether the character before it was a CR. */
  private endsLine(c: string, afterCr: boolean): 'line' | 'swallow' | 'data' {
    switch (this.terminator) {
      case 'CR':
        return c === CR ? 'line' : 'data';
      case 'LF':
        return c === LF ? 'line' : 'data';
      case 'CRLF':
        return c === LF && afterCr ? 'line' : 'data';
      case 'auto':
        return c === LF && afterCr ? 'swallow' : 'line';
    }
  }

  private append(s: string): void {
    if (s.length === 0) return;
    const room = this.keep - this.length;
    if (s.length > room) this.dropped = true;
    if (room <= 0) return;
    const kept = s.length > room ? s.slice(0, room) : s;
    this.parts.push(kept);
    this.length += kept.length;
  }

  private end(): void {
    let line = this.parts.join('');
    // 'CRLF': the CR of the terminator was kept as possible data until its LF (or
    // the timeout) came; drop it unless it was cut off with an overlong line anyway
    if (this.terminator === 'CRLF' && !this.dropped && line.endsWith(CR)) line = line.slice(0, -1);
    this.clear();
    if (line.length > 0) this.onLine(line);
  }

  private clear(): void {
    this.parts = [];
    this.length = 0;
    this.dropped = false;
  }

  private arm(): void {
    if (this.timeoutMs <= 0 || this.length === 0) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.end();
      this.afterCr = false;
    }, this.timeoutMs);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
