/**
 * The service's pino logger: JSON lines on stderr (stdout carries the
 * `listening` event), with a redact list as the second line of defence
 * against secrets in logs (the first is never to log them): tokens,
 * passphrases, private keys, Authorization and signature headers.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACT = {
  paths: [
    'token', '*.token', 'passphrase', '*.passphrase', 'privatePkcs8', '*.privatePkcs8', 'pkcs8', '*.pkcs8',
    'req.headers.authorization', 'req.headers.signature', 'headers.authorization', 'text', '*.text',
  ],
  censor: '[redacted]',
};

export function serviceLogger(level = process.env['COUPON_PLATFORM_LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ level, base: { svc: 'coupon-platform' }, redact: REDACT }, pino.destination(2));
}

/** A logger whose raw JSON lines a test can read back (and search for secrets). */
export function memoryLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination: DestinationStream = { write: (chunk: string) => void lines.push(chunk.trimEnd()) };
  return { logger: pino({ level, redact: REDACT }, destination), lines };
}
