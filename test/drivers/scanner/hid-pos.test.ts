import assert from 'node:assert/strict';
import { HidPosAssembler } from '../../../drivers/scanner/hid-pos.js';
import { MAX_SCAN_CHARS } from '../../../drivers/scanner/port.js';

/** A 64-byte HID POS scanned-data report, written out byte by byte. */
function posReport(data: Uint8Array | string, more: boolean, opts: { id?: number; length?: number; aim?: string } = {}): Uint8Array {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const r = new Uint8Array(64);
  r[0] = opts.id ?? 0x02;
  r[1] = opts.length ?? bytes.length;
  r.set(Buffer.from(opts.aim ?? ']Q1', 'latin1'), 2);
  r.set(bytes.subarray(0, 56), 5);
  r[63] = more ? 1 : 0;
  return r;
}

/** Split a scan into reports of 56 data bytes, the last with continuation 0. */
function posReports(text: string): Uint8Array[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 56) out.push(posReport(bytes.subarray(i, i + 56), i + 56 < bytes.length));
  return out;
}

function assemble(reports: Uint8Array[]): string[] {
  const a = new HidPosAssembler();
  return reports.map((r) => a.feed(r)?.text).filter((t): t is string => t !== undefined);
}

describe('HidPosAssembler', () => {
  it('one report: data of the given length, CR suffix stripped, symbology reported', () => {
    const a = new HidPosAssembler();
    const r = posReport('HELLO\rjunk', false, { length: 6 });
    assert.deepEqual(a.feed(r), { text: 'HELLO', symbology: ']Q1' });
  });

  it('continuation across reports: a 400-char coupon in 8 reports', () => {
    const coupon = Buffer.alloc(300, 7).toString('base64') + 'xyz+/';
    const reports = posReports(coupon);
    assert.equal(reports.length, Math.ceil(coupon.length / 56));
    assert.equal(reports[0]?.[63], 1);
    assert.equal(reports.at(-1)?.[63], 0);
    assert.deepEqual(assemble(reports), [coupon]);
  });

  it('hand-written two-report scan', () => {
    const first = posReport('A'.repeat(56), true);
    const second = posReport('BC\r\n', false);
    assert.deepEqual(assemble([first, second]), ['A'.repeat(56) + 'BC']);
  });

  it('keeps a UTF-8 character split across reports', () => {
    const e = Buffer.from('é');
    assert.deepEqual(assemble([posReport(Buffer.concat([Buffer.from('x'.repeat(55)), e.subarray(0, 1)]), true), posReport(e.subarray(1), false)]), [
      'x'.repeat(55) + 'é',
    ]);
  });

  it('ignores other report ids and short reports, clamps a bad length to 56', () => {
    const other = posReport('NOPE', false, { id: 0x04 });
    const short = posReport('NOPE', false).subarray(0, 40);
    const bad = posReport('Z'.repeat(56), false, { length: 200 });
    assert.deepEqual(assemble([other, short, bad]), ['Z'.repeat(56)]);
  });

  it('an overlong scan keeps MAX_SCAN_CHARS + 1 characters; the next scan is intact', () => {
    const lines = assemble([...posReports('q'.repeat(10_000)), ...posReports('NEXT')]);
    assert.deepEqual(lines.map((l) => l.length), [MAX_SCAN_CHARS + 1, 4]);
    assert.equal(lines[1], 'NEXT');
  });

  it('reset drops a partial scan', () => {
    const a = new HidPosAssembler();
    a.feed(posReport('PART', true));
    a.reset();
    assert.equal(a.feed(posReport('WHOLE', false))?.text, 'WHOLE');
  });
});
