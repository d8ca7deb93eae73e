import { PassThrough } from 'node:stream';

/** A writable stream that keeps what was written, for tests of human output. */
export function captureStream(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { out, text: () => text };
}
