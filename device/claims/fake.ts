/**
 * A Claimer for tests and the simulator: a scripted platform. Each claim
 * takes the next scripted step (else `defaultStep`); a step answers, fails,
 * or never answers (`hang`, settled by the timeout like a dead network).
 * `calls` records what was asked. With `platform` set, claims are decided by
 * a small in-memory platform instead: first terminal wins, idempotent for it.
 */
import type { ClaimResponse } from '../../protocol/sync.js';
import type { ClaimAnswer, ClaimInput, Claimer } from './port.js';

export type FakeStep =
  | { kind: 'answer'; response: ClaimResponse; delayMs?: number }
  | { kind: 'no-answer'; code: string; delayMs?: number }
  | { kind: 'hang' }
  /** the in-memory platform decides (needs `platform`) */
  | { kind: 'decide'; delayMs?: number };

export interface FakePlatformRow {
  terminalId: string;
  branchId: string;
  scannedAt: number;
  receivedAt: number;
}

export class FakeClaimer implements Claimer {
  readonly calls: ClaimInput[] = [];
  readonly script: FakeStep[] = [];
  private readonly pending = new Set<() => void>();

  constructor(
    private readonly opts: {
      defaultStep?: FakeStep;
      /** an in-memory platform shared by several fakes (several terminals) */
      platform?: Map<string, FakePlatformRow>;
      terminalId?: string;
      branchId?: string;
      now?: () => number;
    } = {},
  ) {}

  claim(input: ClaimInput, opts: { timeoutMs: number }): Promise<ClaimAnswer> {
    this.calls.push({ ...input });
    const step = this.script.shift() ?? this.opts.defaultStep ?? { kind: 'decide' };
    return new Promise<ClaimAnswer>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const settle = (a: ClaimAnswer): void => {
        for (const t of timers) clearTimeout(t);
        this.pending.delete(abort);
        resolve(a);
      };
      const abort = (): void => settle({ kind: 'no-answer', code: 'ABORTED', message: 'claimer closed' });
      this.pending.add(abort);
      timers.push(setTimeout(() => settle({ kind: 'no-answer', code: 'TIMEOUT', message: `no answer within ${opts.timeoutMs} ms` }), opts.timeoutMs));
      if (step.kind !== 'hang') timers.push(setTimeout(() => settle(this.answer(step, input)), step.delayMs ?? 0));
    });
  }

  async close(): Promise<void> {
    for (const abort of [...this.pending]) abort();
  }

  private answer(step: Exclude<FakeStep, { kind: 'hang' }>, input: ClaimInput): ClaimAnswer {
    if (step.kind === 'answer') return { kind: 'answer', response: step.response };
    if (step.kind === 'no-answer') return { kind: 'no-answer', code: step.code, message: `fake: ${step.code}` };
    return { kind: 'answer', response: this.decide(input) };
  }

  private decide(input: ClaimInput): ClaimResponse {
    const platform = this.opts.platform;
    if (!platform) throw new TypeError('FakeClaimer: a "decide" step needs a platform map');
    const now = (this.opts.now ?? Date.now)();
    const me = { terminalId: this.opts.terminalId ?? 'till-1', branchId: this.opts.branchId ?? 'north' };
    const held = platform.get(input.ctiHex);
    const ref = (r: FakePlatformRow) => ({ terminalId: r.terminalId, branchId: r.branchId, scannedAt: r.scannedAt, receivedAt: r.receivedAt, offline: false });
    if (held && held.terminalId !== me.terminalId) return { time: now, result: 'already-redeemed', ctiHex: input.ctiHex, first: ref(held) };
    if (held) return { time: now, result: 'claimed', ctiHex: input.ctiHex, redemption: ref(held), repeated: true };
    const row = { ...me, scannedAt: input.scannedAt, receivedAt: now };
    platform.set(input.ctiHex, row);
    return { time: now, result: 'claimed', ctiHex: input.ctiHex, redemption: ref(row), repeated: false };
  }
}
