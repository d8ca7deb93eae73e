/**
 * A 1-bit framebuffer stored exactly like the SSD1306's GDDRAM: the screen is
 * cut into pages of 8 pixel rows; each byte is one column of one page, bit 0 at
 * the top. Page-major order (page 0 columns 0..w-1, then page 1, ...) means a
 * frame can be sent to the panel in horizontal addressing mode without any
 * reshuffling, and a page diff is a byte-range compare.
 */
export class Bitmap {
  readonly pages: number;
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    data?: Uint8Array,
  ) {
    if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0 || height % 8 !== 0) {
      throw new RangeError(`Bitmap: bad size ${width}x${height} (height must be a multiple of 8)`);
    }
    this.pages = height / 8;
    const size = width * this.pages;
    if (data !== undefined && data.length !== size) {
      throw new RangeError(`Bitmap: data has ${data.length} bytes, ${width}x${height} needs ${size}`);
    }
    this.data = data ?? new Uint8Array(size);
  }

  /** Out-of-range coordinates are ignored: callers clip by construction, not by checks. */
  set(x: number, y: number, on = true): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y >> 3) * this.width + x;
    const mask = 1 << (y & 7);
    this.data[i] = on ? this.data[i]! | mask : this.data[i]! & ~mask;
  }

  get(x: number, y: number): boolean {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return false;
    return (this.data[(y >> 3) * this.width + x]! & (1 << (y & 7))) !== 0;
  }

  fillRect(x: number, y: number, w: number, h: number, on = true): void {
    const x0 = Math.max(0, x);
    const y0 = Math.max(0, y);
    const x1 = Math.min(this.width, x + w);
    const y1 = Math.min(this.height, y + h);
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.set(xx, yy, on);
  }

  /** Flips every pixel of the rectangle (the whole bitmap by default). */
  invert(x = 0, y = 0, w = this.width, h = this.height): void {
    const x1 = Math.min(this.width, x + w);
    const y1 = Math.min(this.height, y + h);
    for (let yy = Math.max(0, y); yy < y1; yy++) {
      for (let xx = Math.max(0, x); xx < x1; xx++) this.set(xx, yy, !this.get(xx, yy));
    }
  }

  /**
   * Draws a glyph given as rows of bits, MSB = leftmost pixel, `ceil(w/8)`
   * bytes per row (the layout of Unifont's .hex). Only set bits are drawn, so
   * glyphs overlay whatever is underneath. `scale` repeats each pixel.
   */
  blit(glyph: { width: number; height: number; bits: Uint8Array }, x: number, y: number, scale = 1): void {
    const stride = Math.ceil(glyph.width / 8);
    for (let gy = 0; gy < glyph.height; gy++) {
      for (let gx = 0; gx < glyph.width; gx++) {
        const byte = glyph.bits[gy * stride + (gx >> 3)] ?? 0;
        if ((byte & (0x80 >> (gx & 7))) === 0) continue;
        if (scale === 1) this.set(x + gx, y + gy);
        else this.fillRect(x + gx * scale, y + gy * scale, scale, scale);
      }
    }
  }

  equals(other: Bitmap): boolean {
    if (other.width !== this.width || other.height !== this.height) return false;
    for (let i = 0; i < this.data.length; i++) if (this.data[i] !== other.data[i]) return false;
    return true;
  }

  clone(): Bitmap {
    return new Bitmap(this.width, this.height, this.data.slice());
  }
}
