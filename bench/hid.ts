/**
 * HID keyboard decoding (issue 4): how fast boot keyboard reports from a
 * keyboard-emulation scanner become coupon lines, for the us and fr layouts
 * (fr needs Shift for digits, so more modifier work). Baselines in the same
 * run, on the same reports: a plain Buffer.toString of each report's bytes
 * (what the same bytes cost to become text on a serial scanner; our decoder can
 * beat it because release reports produce no string at all), and a
 * naive decoder that allocates per report (Set of keys, object lookups).
 * A coupon is 400 Base64 characters typed as press/release pairs plus Enter.
 */
import { createHash } from 'node:crypto';
import type { KeyboardLayout } from '../drivers/config.js';
import { BootKeyboardDecoder } from '../drivers/scanner/hid-keyboard.js';
import { keyMap, USAGE } from '../drivers/scanner/hid-keymap.js';
import { LineFramer } from '../drivers/scanner/line-framer.js';

export const title = 'HID keyboard decoding';

const COUPONS = 100;
const COUPON_CHARS = 400;
const WARMUP_MS = 200;
const MEASURE_MS = 800;
const SHIFT = 0x02;

function coupon(i: number): string {
  let s = '';
  for (let j = 0; s.length < COUPON_CHARS; j++) s += createHash('sha256').update(`bench ${i} ${j}`).digest('base64').replace(/=+$/, '');
  return s.slice(0, COUPON_CHARS);
}

/** Reports a scanner set to `layout` sends for the coupons: one Buffer per report, as node-hid gives them. */
function scannerReports(layout: KeyboardLayout): Buffer[] {
  const strokes = new Map<string, [number, number]>();
  keyMap(layout).forEach((e, usage) => {
    if (!e || (usage >= 0x54 && usage <= 0x63)) return; // main block only, as scanners type
    if (!strokes.has(e.plain)) strokes.set(e.plain, [0, usage]);
    if (!strokes.has(e.shift)) strokes.set(e.shift, [SHIFT, usage]);
  });
  const release = () => Buffer.alloc(8);
  const out: Buffer[] = [];
  for (let i = 0; i < COUPONS; i++) {
    for (const c of coupon(i)) {
      const [mods, usage] = strokes.get(c) ?? [0, 0];
      out.push(Buffer.from([mods, 0, usage, 0, 0, 0, 0, 0]), release());
    }
    out.push(Buffer.from([0, 0, USAGE.enter, 0, 0, 0, 0, 0]), release());
  }
  return out;
}

/** Runs `pass` (one pass over all reports) repeatedly; returns passes per second. */
function rate(pass: () => number): { perSec: number } {
  for (const until = performance.now() + WARMUP_MS; performance.now() < until; ) pass();
  let passes = 0;
  const start = performance.now();
  while (performance.now() - start < MEASURE_MS) {
    pass();
    passes++;
  }
  return { perSec: passes / ((performance.now() - start) / 1000) };
}

function ours(layout: KeyboardLayout, reports: Buffer[]): () => number {
  return () => {
    let lines = 0;
    const decoder = new BootKeyboardDecoder(layout);
    // burstGapMs 0: the coupons here arrive back to back, faster than any hand scans; this measures decoding, not the one-scan-per-burst rule
    const framer = new LineFramer({ terminator: 'LF', burstGapMs: 0 }, () => lines++);
    for (const r of reports) framer.push(decoder.feed(r));
    return lines;
  };
}

/** A straightforward decoder that allocates per report: the way one writes it first. */
function naive(layout: KeyboardLayout, reports: Buffer[]): () => number {
  const table: Record<string, { plain: string; shift: string }> = {};
  keyMap(layout).forEach((e, usage) => e && (table[String(usage)] = { plain: e.plain, shift: e.shift }));
  return () => {
    let lines = 0;
    let prev = new Set<number>();
    let line = '';
    for (const r of reports) {
      const keys = new Set(Array.from(r.subarray(2)).filter((k) => k !== 0));
      for (const k of [...keys].filter((x) => !prev.has(x))) {
        if (k === USAGE.enter) {
          if (line.length > 0) lines++;
          line = '';
        } else line += (r[0]! & 0x22 ? table[String(k)]?.shift : table[String(k)]?.plain) ?? '';
      }
      prev = keys;
    }
    return lines;
  };
}

function toStringFloor(reports: Buffer[]): () => number {
  return () => {
    let n = 0;
    for (const r of reports) n += r.toString('latin1').length;
    return n > 0 ? COUPONS : 0;
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(): Promise<string> {
  const rows = ['| layout | method | reports/s | coupons/s | vs our decoder |', '| --- | --- | ---: | ---: | ---: |'];
  for (const layout of ['us', 'fr'] as const) {
    const reports = scannerReports(layout);
    const methods: [string, () => number][] = [
      ['our decoder + line framer', ours(layout, reports)],
      ['naive allocating decoder', naive(layout, reports)],
      ['Buffer.toString per report (baseline)', toStringFloor(reports)],
    ];
    let base = 0;
    for (const [name, pass] of methods) {
      const got = pass();
      if (got !== COUPONS) throw new Error(`bench hid: ${name} (${layout}) gave ${got} lines, expected ${COUPONS}`);
      const { perSec } = rate(pass);
      base ||= perSec;
      rows.push(`| ${layout} | ${name} | ${fmt(perSec * reports.length)} | ${fmt(perSec * COUPONS)} | ${(perSec / base).toFixed(2)}× |`);
    }
  }
  return [
    rows.join('\n'),
    '',
    `Each coupon is ${COUPON_CHARS} Base64 characters = ${2 * COUPON_CHARS + 2} reports of 8 bytes (press, release, Enter).`,
    'A scanner types at most a few hundred reports per second, so any row here is far above need; the',
    'ratio shows what the allocation-free decoder saves over the naive one on the same reports.',
  ].join('\n');
}
