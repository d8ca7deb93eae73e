/**
 * The coupon as a QR code (COUPON-FORMAT.md §5): byte mode, level M by
 * default. Byte mode is forced so that every reader sees the Base64 text as
 * is, and so that the version is what the format's size figures assume.
 */
import QRCode, { type QRCodeErrorCorrectionLevel, type QRCodeSegment } from 'qrcode';
import { CliError } from './cli-error.js';

export type QrLevel = 'L' | 'M' | 'Q' | 'H';
export const QR_LEVELS: readonly QrLevel[] = ['L', 'M', 'Q', 'H'];
export const DEFAULT_QR_LEVEL: QrLevel = 'M';

export function qrLevel(value: string | undefined): QrLevel {
  if (value === undefined) return DEFAULT_QR_LEVEL;
  const v = value.toUpperCase();
  if (!(QR_LEVELS as readonly string[]).includes(v)) throw new CliError('USAGE', `--level must be L, M, Q or H, not '${value}'`);
  return v as QrLevel;
}

export function qrSegments(text: string): QRCodeSegment[] {
  return [{ data: Buffer.from(text, 'utf8'), mode: 'byte' }];
}

/** The QR version (1..40) the text needs at this level, in byte mode. */
export function qrVersion(text: string, level: QRCodeErrorCorrectionLevel): number {
  return QRCode.create(qrSegments(text), { errorCorrectionLevel: level }).version;
}

export async function writeQrPng(file: string, text: string, level: QrLevel): Promise<void> {
  await toFile(file, () => QRCode.toFile(file, qrSegments(text), { type: 'png', errorCorrectionLevel: level, margin: 4, scale: 6 }));
}

export async function writeQrSvg(file: string, text: string, level: QrLevel): Promise<void> {
  await toFile(file, () => QRCode.toFile(file, qrSegments(text), { type: 'svg', errorCorrectionLevel: level, margin: 4 }));
}

/** A rendering for a terminal (half-block characters), to scan off the screen in a demo. */
export function qrTerminal(text: string, level: QrLevel): Promise<string> {
  return QRCode.toString(qrSegments(text), { type: 'terminal', small: true, errorCorrectionLevel: level });
}

async function toFile(file: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    throw new CliError('OUTPUT', `cannot write QR to ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}
