/**
 * A verification step's "no": thrown inside the verifier and turned into a
 * RejectedCoupon at its single exit, so each step reads as a straight line.
 */
import type { Claims, RejectedCoupon } from './types.js';

export class Rejection extends Error {
  override readonly name = 'Rejection';
  constructor(
    readonly reason: RejectedCoupon['reason'],
    message: string,
    readonly claims?: Claims,
  ) {
    super(message);
  }
}

export function malformed(message: string): Rejection {
  return new Rejection('MALFORMED', message);
}

/** Hex of an id for messages, shortened so that no message carries a long attacker-chosen blob. */
export function shortHex(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 16)).toString('hex');
  return bytes.byteLength > 16 ? `${hex}…` : hex;
}

/** A Unix time for people: 2026-01-01T00:00:00Z. */
export function formatTime(seconds: number): string {
  const ms = seconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return `${seconds} s`;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
