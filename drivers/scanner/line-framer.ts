import type { Terminator } from '../config.js';
import { MAX_SCAN_CHARS, SCAN_BURST_GAP_MS } from './port.js';
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
 * - One scan is one burst: a line that starts before the input has been quiet
 *   for `burstGapMs` after the previous line is the rest of that scan (a QR
 *   code full of line breaks, line noise), and is discarded: only the first
 *   line of a burst is emitted, at once, so a real scan waits for nothing.
 *   `onDiscard` hears how many lines a burst lost, once it is over.
 */
export interface LineFramerOptions {
  terminator: Terminator;
  /** 0 = off */
  interCharTimeoutMs?: number;
  maxChars?: number;
  timers?: Timers;
  /** default SCAN_BURST_GAP_MS; 0 = every line is a scan (text input such as `kiosk redeem`) */
  burstGapMs?: number;
  onDiscard?: (lines: number) => void;
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
  private readonly burstGapMs: number;
  /** when the last bytes came (timers.now()) */
  private lastData = Number.NEGATIVE_INFINITY;
  /** a scan was delivered and the input has not been quiet since */
  private inBurst = false;
  /** the current line has a character; `continues`: it started inside a burst */
  private started = false;
  private continues = false;
  private discarded = 0;
  private reportTimer: unknown = undefined;

  constructor(
    private readonly opts: LineFramerOptions,
    private readonly onLine: (line: string) => void,
  ) {
    this.terminator = opts.terminator;
    this.keep = (opts.maxChars ?? MAX_SCAN_CHARS) + 1;
    this.timeoutMs = opts.interCharTimeoutMs ?? 0;
    this.timers = opts.timers ?? realTimers;
    this.burstGapMs = opts.burstGapMs ?? SCAN_BURST_GAP_MS;
  }

  /** Feed decoded text; complete lines go to `onLine` synchronously. */
  push(text: string): void {
    this.disarm();
    if (text.length > 0) this.arrived();
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

  /** Drop a partial line (unplug) and forget any pending CR and burst. */
  reset(): void {
    this.disarm();
    this.clear();
    this.afterCr = false;
    this.inBurst = false;
    this.lastData = Number.NEGATIVE_INFINITY;
    this.report();
  }

  /** Bytes came now: after enough quiet, the previous scan's burst is over. */
  private arrived(): void {
    const t = this.timers.now();
    if (t - this.lastData >= this.burstGapMs) this.inBurst = false;
    this.lastData = t;
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
    if (!this.started) {
      this.started = true;
      this.continues = this.inBurst;
    }
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
    const continues = this.continues;
    this.clear();
    if (line.length === 0) return;
    if (this.burstGapMs > 0) this.inBurst = true;
    if (continues) this.discard();
    else this.onLine(line);
  }

  private clear(): void {
    this.parts = [];
    this.length = 0;
    this.dropped = false;
    this.started = false;
    this.continues = false;
  }

  /** A line of a scan that was already delivered; counted, reported once the burst is over. */
  private discard(): void {
    this.discarded++;
    if (!this.opts.onDiscard) return;
    if (this.reportTimer !== undefined) this.timers.clearTimeout(this.reportTimer);
    this.reportTimer = this.timers.setTimeout(() => this.report(), this.burstGapMs);
  }

  private report(): void {
    if (this.reportTimer !== undefined) this.timers.clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    const n = this.discarded;
    this.discarded = 0;
    if (n > 0) this.opts.onDiscard?.(n);
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
