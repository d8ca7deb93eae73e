/**
 * Importing one USB batch (issue 10; docs/protocol.md "USB export batches"):
 * find the registered terminal that signed the manifest, verify the batch
 * against that terminal's key and the chain the platform holds for it
 * (`verifyBatch`: signature, chain, data hash, every record), then record
 * its redemptions like uploads (source `batch`, offline: a redemption that
 * was claimed online is already there and comes back a duplicate) together
 * with the chain's new head, in one transaction. A batch imported before is
 * checked again at its own place in the chain (so a copy with an altered data
 * file is still refused) and changes nothing. A refused batch throws an
 * HttpError with the batch's code.
 */
import { peekManifest, verifyBatch } from '../../protocol/batch-verify.js';
import type { BatchErrorCode } from '../../protocol/batch-errors.js';
import type { BatchRecord } from '../../protocol/batch.js';
import type { RecordOutcome, SyncRecord, Terminal, UsbBatchRecord } from '../store/store.js';
import { HttpError } from './errors.js';
import { publicKeyFromRaw } from './keys.js';
import type { ServiceDeps } from './types.js';
import { serialOf } from './views.js';

/** A record the import did not simply accept: the operator reads why. */
export interface ImportedRecordNote {
  n: number;
  serial: string;
  ctiHex: string;
  result: 'conflict' | 'unknown' | 'revoked' | 'refused';
  code?: string;
  message: string;
}

export interface BatchImportReport {
  status: 'imported' | 'already-imported';
  terminalId: string;
  sequence: number;
  manifestSha256: string;
  importedAt: Date;
  count: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  refused: number;
  /** conflicts and refusals, one note each (accepted records and duplicates are only counted) */
  records: ImportedRecordNote[];
}

const hexBytes = (hex: string | null): Uint8Array | null => (hex === null ? null : Uint8Array.from(Buffer.from(hex, 'hex')));
const hexOf = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'));

function refuse(code: BatchErrorCode, message: string): never {
  throw new HttpError(code, message);
}

/** The registered terminal whose key signed the manifest. */
async function signer(deps: ServiceDeps, peek: ReturnType<typeof peekManifest>): Promise<Terminal> {
  for (const kid of peek.kids) {
    const t = await deps.store.terminalBySignKid(kid);
    if (t) return t;
  }
  if (peek.kids.length === 0) refuse('MANIFEST_MALFORMED', 'the manifest is not a signed batch manifest (no signature could be read)');
  const claimed = peek.manifest ? ` (it claims to be batch ${peek.manifest.sequence} of terminal ${peek.manifest.terminalId})` : '';
  return refuse('MANIFEST_UNKNOWN_SIGNER', `the manifest is signed by key ${peek.kids.join(', ')}, which is no registered terminal's${claimed}`);
}

function toSync(r: BatchRecord): SyncRecord {
  const facts = { ctiHex: r.ctiHex, product: r.product, quantity: r.quantity, consumer: r.consumer, scannedAt: new Date(r.redeemedAt) };
  return r.kind === 'reverse' ? { ...facts, kind: 'reverse', reversedAt: new Date(r.reversedAt) } : { ...facts, kind: 'redeem', offline: true };
}

function note(r: BatchRecord, o: RecordOutcome): ImportedRecordNote | undefined {
  const at = { n: r.n, serial: serialOf(r.ctiHex), ctiHex: r.ctiHex };
  switch (o.outcome) {
    case 'conflict':
      return { ...at, result: 'conflict', message: `redeemed first at terminal ${o.winner.terminalId} (branch ${o.winner.branchId}, scanned ${o.winner.scannedAt.toISOString()})` };
    case 'unknown':
      return { ...at, result: 'unknown', message: 'not a coupon this platform issued to the terminal\'s merchant' };
    case 'revoked':
      return { ...at, result: 'revoked', message: `scanned at or after its revocation (${o.revokedAt.toISOString()})` };
    case 'refused':
      return { ...at, result: 'refused', code: o.code, message: o.message };
    default:
      return undefined;
  }
}

function report(status: BatchImportReport['status'], b: UsbBatchRecord, notes: ImportedRecordNote[]): BatchImportReport {
  const counts = status === 'imported'
    ? { accepted: b.accepted, duplicates: b.duplicates, conflicts: b.conflicts, refused: b.refused }
    : { accepted: 0, duplicates: b.recordCount, conflicts: 0, refused: 0 };
  return { status, terminalId: b.terminalId, sequence: b.seq, manifestSha256: hexOf(b.manifestSha256)!, importedAt: b.importedAt, count: b.recordCount, ...counts, records: notes };
}

export async function importBatch(deps: ServiceDeps, manifest: Uint8Array, data: Uint8Array): Promise<BatchImportReport> {
  const peek = peekManifest(manifest);
  const terminal = await signer(deps, peek);
  if (!terminal.enabled) throw new HttpError('TERMINAL_DISABLED', `terminal ${terminal.terminalId} is disabled: enable it (coupon-platform terminal enable) to import its batches`);
  const before = await deps.store.usbBatchByManifest(hexBytes(peek.manifestSha256)!);
  // a batch imported before is checked at its own place in the chain; a new one after the chain's head
  const chain = before
    ? { previousManifestHash: hexOf(before.prevManifestSha256), previousSequence: before.seq - 1 }
    : await deps.store.usbChainHead(terminal.terminalId).then((h) => ({ previousManifestHash: hexOf(h.manifestSha256), previousSequence: h.seq }));
  const v = verifyBatch(manifest, data, {
    terminalKey: publicKeyFromRaw('Ed25519', terminal.signPublic), platformId: await deps.store.platformId(), terminalId: terminal.terminalId, ...chain,
  });
  if (!v.ok) refuse(v.code, v.message);
  if (before) return report('already-imported', before, []);
  const batch = { seq: v.manifest.sequence, manifestSha256: hexBytes(v.manifestSha256)!, prevManifestSha256: hexBytes(v.manifest.previousManifestSha256), dataSha256: hexBytes(v.manifest.dataSha256)! };
  const done = await deps.store.importUsbBatch(terminal, batch, v.records.map(toSync), new Date(deps.now()));
  if (!done.imported) return report('already-imported', done.batch, []);
  const notes = v.records.map((r, i) => note(r, done.outcomes[i]!)).filter((x): x is ImportedRecordNote => x !== undefined);
  return report('imported', done.batch, notes);
}
