import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * The one logger. The composition root makes it; every module receives it and
 * takes a child (`logger.child({ module: 'ledger' })`). JSON lines to stderr by
 * default so journald keeps them. Never log key material or whole coupons:
 * the redact list is a second line of defence, not the first.
 */
const REDACT = { paths: ['text', 'coupon', 'privateKey', 'key', '*.privateKey', '*.text'], censor: '[redacted]' };

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    { level: opts.level ?? process.env['KIOSK_LOG_LEVEL'] ?? 'info', base: { svc: 'coupon-kiosk' }, redact: REDACT },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that writes nowhere, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger whose lines a test can read back (`lines` holds parsed JSON objects). */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination: DestinationStream = {
    write(chunk: string) {
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
    },
  };
  return { logger: pino({ level, redact: REDACT }, destination), lines };
}
