/** The bounded line splitter behind `kiosk verify -` (device/cli/line-reader.ts). */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readLines, type Line } from '../../../device/cli/line-reader.js';

async function collect(chunks: Array<Buffer | string>, max: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const line of readLines(chunks, max)) out.push(line);
  return out;
}

/** Cut `buf` at the given offsets (each taken modulo its length). */
function cut(buf: Buffer, offsets: number[]): Buffer[] {
  const at = [...new Set(offsets.map((o) => o % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let prev = 0;
  for (const o of [...at, buf.length]) {
    parts.push(buf.subarray(prev, o));
    prev = o;
  }
  return parts;
}

describe('device/cli/line-reader', function () {
  it('splits on \\n across any chunking, keeps a final unterminated line and no empty tail', async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme' }).map((s) => s.replace(/\n/g, ' '))), fc.boolean(), fc.array(fc.nat()), async (lines, endsWithNewline, offsets) => {
        const text = lines.join('\n') + (endsWithNewline && lines.length > 0 ? '\n' : '');
        const got = await collect(cut(Buffer.from(text, 'utf8'), offsets), 1 << 20);
        // the reader's rule: one trailing '\n' ends the last line; no empty line after it
        const expected = text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
        assert.deepEqual(got.map((l) => l.text), expected);
        assert.ok(got.every((l) => !l.overlong));
      }),
    );
  });

  it('flags a line longer than the cap without keeping it, and goes on with the next line', async function () {
    const got = await collect(['ab', 'cdef', 'gh\nok\n', 'x'.repeat(9), '\n'], 5);
    assert.deepEqual(got, [
      { text: '', overlong: true },
      { text: 'ok', overlong: false },
      { text: '', overlong: true },
    ]);
  });

  it('a line of exactly the cap is kept; empty lines are lines', async function () {
    assert.deepEqual(await collect(['abcde\n\n\r\n'], 5), [
      { text: 'abcde', overlong: false },
      { text: '', overlong: false },
      { text: '\r', overlong: false },
    ]);
  });

  it('never splits a multi-byte character cut across chunks', async function () {
    const bytes = Buffer.from('优惠券\n券', 'utf8');
    const got = await collect([bytes.subarray(0, 4), bytes.subarray(4, 8), bytes.subarray(8)], 100);
    assert.deepEqual(got.map((l) => l.text), ['优惠券', '券']);
  });
});
