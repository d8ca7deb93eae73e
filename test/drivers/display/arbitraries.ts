import fc from 'fast-check';
import { REASONS } from '../../../coupon/reasons.js';
import type { FaultCode, Screen, StatusLine } from '../../../drivers/display/screen.js';

const FAULTS: FaultCode[] = ['NO_KEYS', 'TERMINAL_DISABLED', 'CLOCK_UNTRUSTED', 'SCANNER_DISCONNECTED', 'DISK_FULL', 'LEDGER_ERROR', 'HARDWARE'];

/** Any text a coupon might carry: ASCII, CJK, emoji, control characters, very long. */
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('火锅双人套餐（周末可用）', '😀😀 Family 👨‍👩‍👧 meal', 'x'.repeat(300), '\n\t\u0000line', ''),
);

const status: fc.Arbitrary<StatusLine> = fc.record({
  online: fc.constantFrom(true, false, null),
  pending: fc.oneof(fc.nat(20), fc.integer({ min: 0, max: 2 ** 31 })),
  clockWarning: fc.boolean(),
  scanner: fc.constantFrom('connected' as const, 'disconnected' as const),
});

export const anyScreen: fc.Arbitrary<Screen> = fc.oneof(
  fc.record({ kind: fc.constant('idle' as const), status }),
  fc.record(
    {
      kind: fc.constant('verdict' as const),
      reason: fc.constantFrom(...REASONS),
      status,
      title: text,
      quantity: fc.integer({ min: -5, max: 1_000_000_000 }),
      serial: text,
      redeemedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      redeemedBy: text,
      detail: text,
    },
    { requiredKeys: ['kind', 'reason', 'status'] },
  ),
  fc.record({ kind: fc.constant('fault' as const), fault: fc.constantFrom(...FAULTS), detail: text, status }, { requiredKeys: ['kind', 'fault', 'status'] }),
  fc.record({
    kind: fc.constant('progress' as const),
    label: fc.constantFrom('export' as const, 'upload' as const),
    done: fc.integer({ min: -10, max: 100_000 }),
    total: fc.integer({ min: 0, max: 100_000 }),
    status,
  }),
  fc.record(
    {
      kind: fc.constant('message' as const),
      message: fc.constantFrom('safe-to-remove' as const, 'export-failed' as const, 'starting' as const, 'stopping' as const),
      detail: text,
      status,
    },
    { requiredKeys: ['kind', 'message', 'status'] },
  ),
);
