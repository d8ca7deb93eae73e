import type { Bitmap } from './bitmap.js';
import type { Window } from './ssd1306-protocol.js';

/**
 * Bus time of a window, in bit times (I2C sends 9 bits per byte, the ACK
 * included). Besides its data a window costs two transactions (start, stop,
 * address byte each), the command control byte with its 6 address commands,
 * and the data control byte: 2 × 11 + 9 × 7 + 9 = 94 bits, the time of ~10.4
 * data bytes. Used to decide when unchanged bytes are cheaper sent along
 * (a gap of up to 10 columns, two dirty pages under one window) than a new window.
 */
const BYTE_BITS = 9;
const WINDOW_OVERHEAD_BITS = 2 * (1 + BYTE_BITS + 1) + BYTE_BITS * (1 + 6) + BYTE_BITS;

function cost(w: Window): number {
  return WINDOW_OVERHEAD_BITS + BYTE_BITS * (w.col1 - w.col0 + 1) * (w.page1 - w.page0 + 1);
}

/**
 * The changed column spans of one page, trimmed to changed columns. Two
 * changed runs are sent as one span when the unchanged columns between them
 * take less bus time than opening another window.
 */
function pageSpans(prev: Bitmap, next: Bitmap, page: number): Window[] {
  const base = page * next.width;
  const spans: Window[] = [];
  for (let col = 0; col < next.width; col++) {
    if (prev.data[base + col] === next.data[base + col]) continue;
    const last = spans[spans.length - 1];
    if (last && BYTE_BITS * (col - last.col1 - 1) < WINDOW_OVERHEAD_BITS) last.col1 = col;
    else spans.push({ col0: col, col1: col, page0: page, page1: page });
  }
  return spans;
}

function merge(a: Window, b: Window): Window {
  return { col0: Math.min(a.col0, b.col0), col1: Math.max(a.col1, b.col1), page0: a.page0, page1: b.page1 };
}

/**
 * The GDDRAM windows to rewrite to turn `prev` into `next`: the whole panel
 * when there is no trustworthy previous frame, nothing when they are equal,
 * else the changed column spans of each changed page, with a span merged
 * into the window of the page above whenever that costs fewer bus bytes.
 */
export function dirtyWindows(prev: Bitmap | undefined, next: Bitmap): Window[] {
  if (!prev || prev.width !== next.width || prev.height !== next.height) {
    return [{ col0: 0, col1: next.width - 1, page0: 0, page1: next.pages - 1 }];
  }
  const windows: Window[] = [];
  for (let page = 0; page < next.pages; page++) {
    for (const span of pageSpans(prev, next, page)) {
      const last = windows[windows.length - 1];
      if (last && last.page1 === page - 1) {
        const merged = merge(last, span);
        if (cost(merged) <= cost(last) + cost(span)) {
          windows[windows.length - 1] = merged;
          continue;
        }
      }
      windows.push(span);
    }
  }
  return windows;
}

/** The bytes of `frame` inside a window, in the order horizontal addressing stores them. */
export function windowData(frame: Bitmap, w: Window): Uint8Array {
  const cols = w.col1 - w.col0 + 1;
  const out = new Uint8Array(cols * (w.page1 - w.page0 + 1));
  for (let page = w.page0; page <= w.page1; page++) {
    const start = page * frame.width + w.col0;
    out.set(frame.data.subarray(start, start + cols), (page - w.page0) * cols);
  }
  return out;
}
