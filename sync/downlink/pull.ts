/**
 * One downlink pass for one platform, independent of uploads: the signed
 * terminal state (trust updates, merchant keys, disabled, the platform time,
 * and the conflicts this terminal is part of, after its cursor), then the
 * revocation list after its cursor. Every answer was verified by the
 * PlatformClient: one whose signature does not verify is ignored, logged,
 * and fails the pass (nothing of it is applied). Cursors move in the same
 * ledger transaction as what they cover, so a kill -9 repeats at most a page.
 */
import type { Ledger } from '../../device/ledger/types.js';
import type { ConflictInput } from '../../device/ledger/sync-types.js';
import type { Logger } from '../../device/logger.js';
import { revocationsAnswer } from '../../protocol/answers.js';
import type { ConflictNotice } from '../../protocol/api.js';
import type { EnrolledPlatform } from '../../provisioning/store/load.js';
import type { PlatformClient } from '../transport/client.js';
import { TRANSPORT_CODES, TransportError, type TransportCode } from '../transport/errors.js';
import { pullState } from '../terminal-state.js';
import type { StateApplied } from '../../provisioning/apply-state.js';

export interface PullContext {
  home: string;
  platform: EnrolledPlatform;
  ledger: Ledger;
  client: PlatformClient;
  timeoutMs: number;
  now: () => number;
  raiseTime?: ((tS: number, source: string) => number) | undefined;
  logger: Logger;
  signal?: AbortSignal;
}

export interface PullPass {
  applied: StateApplied;
  revocations: number;
  conflicts: number;
}

/** pages per pass at most (a list longer than this continues at the next pass) */
const MAX_PAGES = 50;
const REVOCATION_PAGE = 1000;

export async function pullOnce(ctx: PullContext): Promise<PullPass> {
  const { applied, conflicts } = await pullStateAndConflicts(ctx);
  const revocations = await pullRevocations(ctx);
  return { applied, revocations, conflicts };
}

async function pullStateAndConflicts(ctx: PullContext): Promise<{ applied: StateApplied; conflicts: number }> {
  const platformId = ctx.platform.platformId;
  let added = 0;
  for (let page = 0; ; page++) {
    const after = ctx.ledger.sync.state(platformId).conflictsCursor;
    const r = await pullState({
      home: ctx.home, platform: ctx.platform, logger: ctx.logger, raiseTime: ctx.raiseTime, client: ctx.client, timeoutMs: ctx.timeoutMs,
      conflictsAfter: after, now: ctx.now, ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (!r.ok) throw new TransportError(isTransportCode(r.code) ? r.code : 'ANSWER_INVALID', `state of ${platformId}: ${r.message}`);
    const at = ctx.now();
    const items = r.conflicts?.items ?? [];
    added += ctx.ledger.sync.addConflicts(platformId, items.map((n) => toConflict(n, ctx.platform.record.terminalId)), r.conflicts?.cursor, at);
    ctx.ledger.sync.noteContact(platformId, at);
    if (!r.conflicts?.more || page + 1 >= MAX_PAGES || r.applied.disabled) return { applied: r.applied, conflicts: added };
  }
}

async function pullRevocations(ctx: PullContext): Promise<number> {
  const platformId = ctx.platform.platformId;
  let added = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const after = ctx.ledger.sync.state(platformId).revocationsCursor;
    const query = { after: String(after), limit: String(REVOCATION_PAGE) };
    const answer = await ctx.client.call({ method: 'GET', path: '/v1/terminal/revocations', query }, revocationsAnswer, { timeoutMs: ctx.timeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const b = answer.body;
    added += ctx.ledger.sync.addRevocations(platformId, b.revocations.map((r) => ({ ctiHex: r.ctiHex, revokedAt: r.revokedAt })), b.cursor, !b.more, ctx.now());
    ctx.raiseTime?.(Math.floor(b.time / 1000), `platform ${platformId} revocations`);
    if (!b.more) break;
  }
  if (added > 0) ctx.logger.info({ platformId, added }, 'revocations pulled');
  return added;
}

function toConflict(n: ConflictNotice, me: string): ConflictInput {
  return { ctiHex: n.ctiHex, noticeSeq: n.seq, side: n.first.terminalId === me ? 'won' : 'lost', first: n.first, second: n.second };
}

function isTransportCode(code: string): code is TransportCode {
  return (TRANSPORT_CODES as readonly string[]).includes(code);
}
