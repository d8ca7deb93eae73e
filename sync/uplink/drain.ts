/**
 * One drain of a platform's outbox: its pending entries in seq order, in
 * batches, each batch one signed POST /v1/terminal/redemptions whose
 * per-record answers are written to the ledger in one transaction. Sending
 * an entry twice is safe (the platform answers `duplicate`), so a crash or a
 * lost answer anywhere only means the batch goes again.
 *
 * A failure of the whole request says nothing about any record: it is
 * thrown to the caller (backoff), except the two the protocol resolves by
 * splitting: 413 (halve the batch) and 400 VALIDATION_FAILED (a record the
 * platform cannot read: halve down to the one record, hold it, go on).
 * Nothing is ever deleted or marked rejected without a per-record answer.
 */
import type { Ledger } from '../../device/ledger/types.js';
import type { Logger } from '../../device/logger.js';
import { uploadAnswer } from '../../protocol/answers.js';
import type { PlatformClient } from '../transport/client.js';
import { TransportError } from '../transport/errors.js';
import { readAnswers, toUploadRecord, type EnrolledSelf } from './records.js';
import type { OutboxEntry } from '../../device/ledger/sync-types.js';

export interface DrainContext {
  platformId: string;
  /** this kiosk's enrolled identity on that platform */
  self: EnrolledSelf;
  ledger: Ledger;
  client: PlatformClient;
  /** entries per request at most */
  batchRecords: number;
  timeoutMs: number;
  /** local Unix ms */
  now: () => number;
  /** raises the trusted-time floor with a signed platform time (Unix s) */
  raiseTime?: ((tS: number, source: string) => number) | undefined;
  logger: Logger;
  signal?: AbortSignal;
}

export interface DrainResult {
  requests: number;
  /** answered recorded, duplicate or conflict */
  sent: number;
  /** answered unknown, revoked or refused: kept, shown */
  rejected: number;
  /** unreadable by the platform: kept pending, shown, not sent again until restart */
  held: number;
  conflicts: number;
}

type BatchOutcome = 'answered' | 'too-large' | 'unreadable';

export async function drain(ctx: DrainContext): Promise<DrainResult> {
  const res: DrainResult = { requests: 0, sent: 0, rejected: 0, held: 0, conflicts: 0 };
  let size = ctx.batchRecords;
  for (;;) {
    ctx.signal?.throwIfAborted();
    const entries = ctx.ledger.sync.pending(ctx.platformId, size);
    if (entries.length === 0) return res;
    const outcome = await sendBatch(ctx, entries, res);
    if (outcome === 'answered') {
      size = Math.min(ctx.batchRecords, size * 2);
    } else if (outcome === 'unreadable' && entries.length === 1) {
      const e = entries[0]!;
      ctx.ledger.sync.hold(e.seq, 'the platform cannot read this record (400 VALIDATION_FAILED): kept, shown, sent again after a restart', ctx.now());
      ctx.logger.error({ platformId: ctx.platformId, seq: e.seq, serial: e.serial, kind: e.kind }, 'upload: a record the platform cannot read is held');
      res.held++;
    } else {
      size = Math.max(1, Math.floor(entries.length / 2));
    }
  }
}

async function sendBatch(ctx: DrainContext, entries: readonly OutboxEntry[], res: DrainResult): Promise<BatchOutcome> {
  res.requests++;
  let answer;
  try {
    const req = { method: 'POST', path: '/v1/terminal/redemptions', body: { records: entries.map(toUploadRecord) } } as const;
    answer = await ctx.client.call(req, uploadAnswer, { timeoutMs: ctx.timeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (err) {
    if (err instanceof TransportError && err.code === 'REFUSED' && err.status === 413) return 'too-large';
    if (err instanceof TransportError && err.code === 'REFUSED' && err.status === 400 && err.platformCode === 'VALIDATION_FAILED') return 'unreadable';
    throw err;
  }
  const read = readAnswers(entries, answer.body.results, ctx.self);
  if (read === undefined) {
    throw new TransportError('ANSWER_INVALID', `POST /v1/terminal/redemptions: the ${answer.body.results.length} results do not answer the ${entries.length} records sent, in order`);
  }
  const at = ctx.now();
  ctx.ledger.sync.answer(ctx.platformId, read.answers, at);
  if (read.conflicts.length > 0) ctx.ledger.sync.addConflicts(ctx.platformId, read.conflicts, undefined, at);
  if (read.revoked.length > 0) ctx.ledger.addRevocations(ctx.platformId, read.revoked.map((r) => r.ctiHex), at);
  ctx.raiseTime?.(Math.floor(answer.body.time / 1000), `platform ${ctx.platformId} upload answer`);
  const rejected = read.answers.filter((a) => a.state === 'rejected');
  for (const a of rejected) ctx.logger.warn({ platformId: ctx.platformId, seq: a.seq, result: a.result, detail: a.detail }, 'upload: the platform rejected a record (kept, shown, exported)');
  res.sent += read.answers.length - rejected.length;
  res.rejected += rejected.length;
  res.conflicts += read.conflicts.length;
  return 'answered';
}
