import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Terminator } from '../../../drivers/config.js';
import { LineFramer } from '../../../drivers/scanner/line-framer.js';
import { MAX_SCAN_CHARS, SCAN_BURST_GAP_MS } from '../../../drivers/scanner/port.js';
import { FakeTimers } from '../../../drivers/scanner/timers.js';

/** The framing rules alone: every line a scan (burstGapMs 0); the burst rule has its own tests below. */
function frame(terminator: Terminator, chunks: string[], opts: { flush?: boolean; maxChars?: number } = {}): string[] {
  const lines: string[] = [];
  const framer = new LineFramer({ terminator, maxChars: opts.maxChars, burstGapMs: 0 }, (l) => lines.push(l));
  for (const c of chunks) framer.push(c);
  if (opts.flush) framer.flush();
  return lines;
}

const CASES: { name: string; terminator: Terminator; chunks: string[]; want: string[]; flush?: boolean }[] = [
  { name: 'LF lines', terminator: 'LF', chunks: ['AB\nCD\n'], want: ['AB', 'CD'] },
  { name: 'LF keeps CR as data', terminator: 'LF', chunks: ['AB\r\n'], want: ['AB\r'] },
  { name: 'CR lines', terminator: 'CR', chunks: ['AB\rCD\r'], want: ['AB', 'CD'] },
  { name: 'CR keeps LF as data', terminator: 'CR', chunks: ['AB\rCD\nEF\r'], want: ['AB', 'CD\nEF'] },
  { name: 'CRLF lines', terminator: 'CRLF', chunks: ['AB\r\nCD\r\n'], want: ['AB', 'CD'] },
  { name: 'CRLF across chunks', terminator: 'CRLF', chunks: ['AB\r', '\nCD\r', '\n'], want: ['AB', 'CD'] },
  { name: 'CRLF lone CR is data', terminator: 'CRLF', chunks: ['A\rB\r\n'], want: ['A\rB'] },
  { name: 'CRLF lone LF is data', terminator: 'CRLF', chunks: ['A\nB\r\n'], want: ['A\nB'] },
  { name: 'CRLF CR then data in next chunk', terminator: 'CRLF', chunks: ['A\r', 'B\r\n'], want: ['A\rB'] },
  { name: 'auto LF', terminator: 'auto', chunks: ['AB\nCD\n'], want: ['AB', 'CD'] },
  { name: 'auto CR', terminator: 'auto', chunks: ['AB\rCD\r'], want: ['AB', 'CD'] },
  { name: 'auto CRLF', terminator: 'auto', chunks: ['AB\r\nCD\r\n'], want: ['AB', 'CD'] },
  { name: 'auto CRLF across chunks', terminator: 'auto', chunks: ['AB\r', '\nCD\r', '\n'], want: ['AB', 'CD'] },
  { name: 'auto LF CR is two terminators', terminator: 'auto', chunks: ['AB\n\rCD\n'], want: ['AB', 'CD'] },
  { name: 'split chunks, one char each', terminator: 'auto', chunks: [...'HELLO\r\nWORLD\r\n'], want: ['HELLO', 'WORLD'] },
  { name: 'empty lines are not scans', terminator: 'LF', chunks: ['\n\nAB\n\n'], want: ['AB'] },
  { name: 'no terminator, no line', terminator: 'LF', chunks: ['AB'], want: [] },
  { name: 'flush ends the last line', terminator: 'LF', chunks: ['AB\nCD'], want: ['AB', 'CD'], flush: true },
  { name: 'non-ASCII passes through', terminator: 'auto', chunks: ['é\u0000\u00ff\r\n'], want: ['é\u0000\u00ff'] },
];

describe('LineFramer', () => {
  for (const c of CASES) {
    it(`${c.name}: ${JSON.stringify(c.chunks)}`, () => {
      assert.deepEqual(frame(c.terminator, c.chunks, { flush: c.flush }), c.want);
    });
  }

  it('accepts a MAX_SCAN_CHARS line whole', () => {
    const line = 'A'.repeat(MAX_SCAN_CHARS);
    assert.deepEqual(frame('auto', [line.slice(0, 1000), line.slice(1000) + '\r\n']), [line]);
  });

  it('keeps MAX_SCAN_CHARS + 1 of an overlong line, discards the rest, next line intact', () => {
    const long = 'x'.repeat(10_000);
    const lines = frame('auto', [long.slice(0, 3000), long.slice(3000, 9000), long.slice(9000) + '\r', '\nNEXT\r\n']);
    assert.equal(lines.length, 2);
    assert.equal(lines[0], 'x'.repeat(MAX_SCAN_CHARS + 1));
    assert.equal(lines[1], 'NEXT');
  });

  it('CRLF mode: an overlong line ending in CR keeps its CR as data (it was cut, nothing to strip)', () => {
    const lines = frame('CRLF', ['abcdef\r\n'], { maxChars: 3 });
    assert.deepEqual(lines, ['abcd']);
    assert.deepEqual(frame('CRLF', ['abc\r\r\n'], { maxChars: 3 }), ['abc\r']);
  });

  it('reset drops a partial line and a pending CR', () => {
    const lines: string[] = [];
    const f = new LineFramer({ terminator: 'auto', burstGapMs: 0 }, (l) => lines.push(l));
    f.push('DONE\r');
    f.push('HALF');
    f.reset();
    f.push('OK\n');
    assert.deepEqual(lines, ['DONE', 'OK']);
  });

  describe('one scan is one burst (issue 7.7)', () => {
    function burst(terminator: Terminator = 'auto', interCharTimeoutMs = 0) {
      const timers = new FakeTimers();
      const lines: string[] = [];
      const discarded: number[] = [];
      const f = new LineFramer({ terminator, timers, interCharTimeoutMs, onDiscard: (n) => discarded.push(n) }, (l) => lines.push(l));
      return { timers, lines, discarded, f };
    }

    it('a QR payload of 1,476 "x\\n" lines is one scan: its first line, at once; the rest is counted, not emitted', () => {
      const { timers, lines, discarded, f } = burst();
      const payload = 'x\n'.repeat(1476);
      for (let i = 0; i < payload.length; i += 64) {
        f.push(payload.slice(i, i + 64));
        timers.advance(1); // a fast serial link: a packet a millisecond
      }
      assert.deepEqual(lines, ['x']);
      assert.deepEqual(discarded, [], 'reported once the burst is over');
      timers.advance(SCAN_BURST_GAP_MS);
      assert.deepEqual(discarded, [1475]);
      assert.equal(timers.armed, 0);
    });

    it('the next scan after a quiet gap is a scan again; a line that started inside the burst is not, however slowly it ends', () => {
      const { timers, lines, f } = burst();
      f.push('FIRST\r\nJUNK');
      timers.advance(SCAN_BURST_GAP_MS * 10);
      f.push('MORE\r\n');
      assert.deepEqual(lines, ['FIRST'], 'JUNK began in the burst of the first scan');
      timers.advance(SCAN_BURST_GAP_MS);
      f.push('SECOND\r\n');
      assert.deepEqual(lines, ['FIRST', 'SECOND']);
    });

    it('the LF of a CRLF in the next chunk does not open a burst of its own', () => {
      const { timers, lines, f } = burst('auto');
      f.push('A1\r');
      timers.advance(1);
      f.push('\n');
      timers.advance(SCAN_BURST_GAP_MS);
      f.push('B2\r');
      assert.deepEqual(lines, ['A1', 'B2']);
    });

    it('a scanner without terminator (inter-character timeout) keeps one scan per burst too', () => {
      const { timers, lines, f } = burst('CR', 20);
      f.push('NOTERM');
      timers.advance(20);
      assert.deepEqual(lines, ['NOTERM']);
      timers.advance(SCAN_BURST_GAP_MS);
      f.push('AGAIN');
      timers.advance(20);
      assert.deepEqual(lines, ['NOTERM', 'AGAIN']);
    });

    it('reset (unplug) ends the burst and reports what it discarded', () => {
      const { lines, discarded, f } = burst();
      f.push('ONE\nTWO\nTHREE\n');
      f.reset();
      assert.deepEqual(discarded, [2]);
      f.push('FOUR\n');
      assert.deepEqual(lines, ['ONE', 'FOUR']);
    });
  });

  describe('inter-character timeout', () => {
    function timed(terminator: Terminator) {
      const timers = new FakeTimers();
      const lines: string[] = [];
      const f = new LineFramer({ terminator, interCharTimeoutMs: 50, timers, burstGapMs: 0 }, (l) => lines.push(l));
      return { timers, lines, f };
    }

    it('ends a line after silence and not before', () => {
      const { timers, lines, f } = timed('auto');
      f.push('ABC');
      timers.advance(40);
      f.push('DEF');
      timers.advance(40);
      assert.deepEqual(lines, []);
      timers.advance(10);
      assert.deepEqual(lines, ['ABCDEF']);
      assert.equal(timers.armed, 0);
    });

    it('does not arm after a terminated line', () => {
      const { timers, lines, f } = timed('auto');
      f.push('ABC\r\n');
      assert.equal(timers.armed, 0);
      assert.deepEqual(lines, ['ABC']);
    });

    it('CRLF: a CR that lost its LF ends the line at the timeout without the CR', () => {
      const { timers, lines, f } = timed('CRLF');
      f.push('ABC\r');
      timers.advance(50);
      assert.deepEqual(lines, ['ABC']);
    });
  });

  it('splitting the input anywhere gives the same lines (property)', () => {
    const text = fc.stringMatching(/^[A-Za-z0-9+\/=\r\n]{0,200}$/);
    fc.assert(
      fc.property(text, fc.array(fc.nat(200), { maxLength: 10 }), fc.constantFrom<Terminator>('auto', 'CR', 'LF', 'CRLF'), (t, cuts, term) => {
        const points = [...new Set(cuts.filter((c) => c <= t.length))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(t.slice(prev, p));
          prev = p;
        }
        chunks.push(t.slice(prev));
        assert.deepEqual(frame(term, chunks, { flush: true }), frame(term, [t], { flush: true }));
      }),
    );
  });
});
