import type { Bitmap } from './bitmap.js';
import type { Window } from './ssd1306-protocol.js';

/**
 * Bus bytes a window costs besides its data: a command transaction (address
 * byte, control byte, 6 command bytes) and the data transaction's address and
 * control bytes. Used to decide when two dirty pages are cheaper sent as one
 * window than as two.
 */
const WINDOW_OVERHEAD = 2 + 6 + 2;

function cost(w: Window): number {
  return WINDOW_OVERHEAD + (w.col1 - w.col0 + 1) * (w.page1 - w.page0 + 1);
}

/**
 * The changed column spans of one page. Two changed runs separated by fewer
 * unchanged columns than a window's overhead are cheaper sent as one span.
 */
function pageSpans(prev: Bitmap, next: Bitmap, page: number): Window[] {
  const base = page * next.width;
  const spans: Window[] = [];
  for (let col = 0; col < next.width; col++) {
    if (prev.data[base + col] === next.data[base + col]) continue;
    const last = spans[spans.length - 1];
    if (last && col - last.col1 - 1 < WINDOW_OVERHEAD) last.col1 = col;
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
