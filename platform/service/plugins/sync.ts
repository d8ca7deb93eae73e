/**
 * The sync routes (issue 9) under /v1/terminal, behind terminal
 * authentication, every answer signed: online claims and batched uploads of
 * the kiosk's outbox. The protocol (what each answer means and what the
 * kiosk does with it) is docs/protocol.md "Sync"; the schemas are
 * protocol/sync.ts. Nothing here decides who wins a coupon: the store's
 * constraints do, in one transaction per request.
 */
import { ClaimRequest, ClaimResponse, UPLOAD_MAX_BYTES, UploadRequest, UploadResponse, type UploadRecord } from '../../../protocol/sync.js';
import type { SyncRecord } from '../../store/store.js';
import { ERROR_RESPONSES, TERMINAL_SECURITY } from '../schemas.js';
import { claimAnswer, recordAnswer } from '../sync-answers.js';
import type { App, ServiceDeps } from '../types.js';

const meta = (summary: string, description: string) => ({ summary, description, tags: ['terminal'], security: TERMINAL_SECURITY });

function toRecord(r: UploadRecord): SyncRecord {
  const facts = { ctiHex: r.ctiHex, product: r.product, quantity: r.quantity, consumer: r.consumer, scannedAt: new Date(r.scannedAt) };
  return r.kind === 'redeem' ? { ...facts, kind: 'redeem', offline: r.offline } : { ...facts, kind: 'reverse', reversedAt: new Date(r.reversedAt) };
}

export async function syncPlugin(app: App, deps: ServiceDeps): Promise<void> {
  const { store } = deps;

  app.post('/claims', {
    schema: {
      ...meta('Claim one coupon for this terminal, online, before accepting it',
        'Atomic across every service process: of two terminals claiming one coupon exactly one gets `claimed`. Idempotent for the claiming terminal (a rescan after a crash is `claimed` again, `repeated: true`).'),
      body: ClaimRequest,
      response: { 200: ClaimResponse, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const t = req.terminal!;
    const now = new Date(deps.now());
    const b = req.body;
    const outcome = await store.claim(t, { ctiHex: b.ctiHex, product: b.product, quantity: b.quantity, consumer: b.consumer, scannedAt: new Date(b.scannedAt) }, now);
    req.log.info({ terminalId: t.terminalId, ctiHex: b.ctiHex, result: outcome.outcome }, 'claim');
    return claimAnswer(b.ctiHex, outcome, now.getTime());
  });

  app.post('/redemptions', {
    bodyLimit: UPLOAD_MAX_BYTES,
    schema: {
      ...meta('Upload redemptions and reversals from the kiosk\'s outbox; one result per record',
        'Idempotent per scan (terminal, coupon, scan time): sending a record again is always safe. A per-record refusal is final for that record; a 4xx/5xx for the request says nothing about any record.'),
      body: UploadRequest,
      response: { 200: UploadResponse, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const t = req.terminal!;
    const now = new Date(deps.now());
    const records = req.body.records;
    const outcomes = await store.recordSync(t, records.map(toRecord), 'upload', now);
    const results = outcomes.map((o, i) => recordAnswer(records[i]!, o));
    const counts: Record<string, number> = {};
    for (const r of results) counts[r.result] = (counts[r.result] ?? 0) + 1;
    req.log.info({ terminalId: t.terminalId, records: records.length, ...counts }, 'upload');
    return { time: now.getTime(), results };
  });
}
