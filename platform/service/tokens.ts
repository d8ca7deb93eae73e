/** Secrets the platform hands out (admin and enrollment tokens) are kept as SHA-256 only. */
import { createHash } from 'node:crypto';

export function tokenHash(token: string): Uint8Array {
  return createHash('sha256').update(token, 'utf8').digest();
}
