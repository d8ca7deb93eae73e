/**
 * A mistake by the person at the command line (bad flag, unreadable key,
 * claims that break COUPON-FORMAT.md §1). The CLI prints the message and
 * exits 2; anything else is a bug and exits 1.
 */
export class CliError extends Error {
  constructor(
    readonly code: 'USAGE' | 'KEY_FILE' | 'CLAIMS' | 'OUTPUT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export const EXIT_USAGE = 2;
