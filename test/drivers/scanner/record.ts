import type { Scanner, ScannerError, ScannerState } from '../../../drivers/scanner/port.js';

/** Everything a scanner emits, in order, for a test to assert on. */
export function record(scanner: Scanner): { lines: string[]; states: ScannerState[]; errors: ScannerError[] } {
  const lines: string[] = [];
  const states: ScannerState[] = [];
  const errors: ScannerError[] = [];
  scanner.on('line', (l) => lines.push(l));
  scanner.on('state', (s) => states.push(s));
  scanner.on('error', (e) => errors.push(e));
  return { lines, states, errors };
}
