/**
 * Reads a QR code back from its PNG with jsQR, a decoder nobody here wrote:
 * what a phone's screen shows is what the kiosk gets.
 */
import { readFileSync } from 'node:fs';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS with `export default`: under NodeNext its default is the module object
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string; version: number } | null;
const jsQR = (jsQRModule as unknown as { default: Decode }).default;

/** The text in the QR code of a PNG file, and its QR version; throws when no code is found. */
export function decodeQrPng(file: string): { text: string; version: number } {
  const img = PNG.sync.read(readFileSync(file));
  const code = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
  if (!code) throw new Error(`jsQR found no QR code in ${file} (${img.width}x${img.height})`);
  return { text: code.data, version: code.version };
}
