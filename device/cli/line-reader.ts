/**
 * Lines from a byte stream with bounded memory: a line longer than `maxBytes`
 * is not kept, only flagged, so a runaway input (a scanner stuck sending, a
 * binary file piped by mistake) cannot exhaust the terminal's memory. A final
 * line without a newline still counts; the empty tail after a final newline
 * does not.
 */

export interface Line {
  /** the line without its '\n' (a '\r' stays; callers trim) */
  text: string;
  /** true when the line was longer than maxBytes; `text` is then empty */
  overlong: boolean;
}

export async function* readLines(input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, maxBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let overlong = false;
  let open = false; // bytes seen since the last '\n'

  const keep = (piece: Buffer): void => {
    open = true;
    if (overlong) return;
    if (size + piece.length > maxBytes) {
      overlong = true;
      parts = [];
      return;
    }
    // a copy, so one short line does not pin the whole chunk it came in
    if (piece.length > 0) parts.push(Buffer.from(piece));
    size += piece.length;
  };
  const take = (): Line => {
    const line = { text: overlong ? '' : Buffer.concat(parts, size).toString('utf8'), overlong };
    parts = [];
    size = 0;
    overlong = false;
    open = false;
    return line;
  };

  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      keep(buf.subarray(start, nl));
      start = nl + 1;
      yield take();
    }
    if (start < buf.length) keep(buf.subarray(start));
  }
  if (open) yield take();
}
