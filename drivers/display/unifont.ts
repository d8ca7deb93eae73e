import { createReadStream } from 'node:fs';
import type { Glyph, GlyphSource } from './glyph.js';

/**
 * GNU Unifont's .hex format: one glyph per line, `XXXX:HEX`, where HEX is 32
 * hex digits (8×16) or 64 (16×16), rows top to bottom, MSB = left pixel.
 *
 * The file is ~60,000 glyphs (several MB of text). Keeping it as strings would
 * cost tens of MB, so the loader streams it once into one byte pool (32 bytes
 * per glyph slot) plus sorted code-point and offset arrays searched by
 * bisection: about 2.5 MB for the whole Basic Multilingual Plane. A missing or
 * unreadable file leaves the source empty, so the layout draws boxes.
 */
export class UnifontSource implements GlyphSource {
  private codePoints = new Uint32Array(0);
  private wide = new Uint8Array(0);
  private pool = new Uint8Array(0);
  private count = 0;
  private loading: Promise<boolean> | undefined;
  /** why the last load failed, for the driver's log; undefined when loaded */
  loadError: Error | undefined;

  constructor(readonly path: string) {}

  /** Reads the file once; later calls share the first. Resolves false when unusable, never rejects. */
  load(): Promise<boolean> {
    this.loading ??= this.read().then(
      () => true,
      (err: unknown) => {
        this.loadError = err instanceof Error ? err : new Error(String(err));
        return false;
      },
    );
    return this.loading;
  }

  get size(): number {
    return this.count;
  }

  glyph(codePoint: number): Glyph | undefined {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const cp = this.codePoints[mid]!;
      if (cp === codePoint) return this.at(mid);
      if (cp < codePoint) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  private at(i: number): Glyph {
    const width = this.wide[i] ? 16 : 8;
    const bytes = width * 2;
    return { width, height: 16, bits: this.pool.subarray(i * 32, i * 32 + bytes) };
  }

  private async read(): Promise<void> {
    const parser = new HexParser((cp, bits) => this.add(cp, bits));
    // Small chunks: parsing one takes ~1 ms, so loading never blocks the event loop for long.
    for await (const chunk of createReadStream(this.path, { encoding: 'latin1', highWaterMark: 16 * 1024 })) {
      parser.push(chunk as string);
    }
    parser.end();
    this.sortIfNeeded();
    this.trim();
  }

  /** Gives back the growth slack (up to half the arrays) once the count is known. */
  private trim(): void {
    this.codePoints = this.codePoints.slice(0, this.count);
    this.wide = this.wide.slice(0, this.count);
    this.pool = this.pool.slice(0, this.count * 32);
  }

  private add(cp: number, bits: Uint8Array): void {
    if (this.count === this.codePoints.length) this.grow();
    this.codePoints[this.count] = cp;
    this.wide[this.count] = bits.length === 32 ? 1 : 0;
    this.pool.set(bits, this.count * 32);
    this.count++;
  }

  private grow(): void {
    const n = Math.max(1024, this.codePoints.length * 2);
    const cps = new Uint32Array(n);
    cps.set(this.codePoints);
    const wide = new Uint8Array(n);
    wide.set(this.wide);
    const pool = new Uint8Array(n * 32);
    pool.set(this.pool);
    this.codePoints = cps;
    this.wide = wide;
    this.pool = pool;
  }

  /** Unifont ships sorted; a hand-made or merged file may not be. */
  private sortIfNeeded(): void {
    let sorted = true;
    for (let i = 1; i < this.count && sorted; i++) sorted = this.codePoints[i - 1]! < this.codePoints[i]!;
    if (sorted) return;
    const order = [...Array(this.count).keys()].sort((a, b) => this.codePoints[a]! - this.codePoints[b]!);
    const cps = new Uint32Array(this.count);
    const wide = new Uint8Array(this.count);
    const pool = new Uint8Array(this.count * 32);
    order.forEach((from, to) => {
      cps[to] = this.codePoints[from]!;
      wide[to] = this.wide[from]!;
      pool.set(this.pool.subarray(from * 32, from * 32 + 32), to * 32);
    });
    [this.codePoints, this.wide, this.pool] = [cps, wide, pool];
  }
}

/** Splits streamed text into lines and decodes each; bad lines are skipped, not fatal. */
export class HexParser {
  private rest = '';
  skipped = 0;

  constructor(private readonly onGlyph: (codePoint: number, bits: Uint8Array) => void) {}

  push(text: string): void {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  end(): void {
    this.line(this.rest);
    this.rest = '';
  }

  private line(raw: string): void {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parsed = parseHexLine(line);
    if (parsed) this.onGlyph(parsed.codePoint, parsed.bits);
    else this.skipped++;
  }
}

/** `4E00:0080...` → code point and glyph rows; undefined for anything malformed. */
export function parseHexLine(line: string): { codePoint: number; bits: Uint8Array } | undefined {
  const m = /^([0-9A-Fa-f]{4,6}):([0-9A-Fa-f]+)$/.exec(line);
  if (!m || (m[2]!.length !== 32 && m[2]!.length !== 64)) return undefined;
  const hex = m[2]!;
  const bits = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bits.length; i++) bits[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return { codePoint: parseInt(m[1]!, 16), bits };
}
