/**
 * Writes one ledger batch to a stick: data file and manifest under temporary
 * names, fsync, rename, fsync the folder, read both back and hash them, and
 * only then the ledger's commit. A batch that is already signed (an earlier
 * attempt got that far) is written again byte for byte: the same records in
 * the same order, and the manifest kept in the ledger.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { ExportBatch, ExportLedger, SignedBatchFacts } from '../../device/ledger/export-types.js';
import {
  BATCH_FORMAT,
  batchFileNames,
  batchFolder,
  encodeManifest,
  manifestSequence,
  sha256Hex,
} from '../../protocol/batch.js';
import { ExportError } from './errors.js';
import {
  createOnStick,
  listNames,
  readBack,
  readIfThere,
  removeQuietly,
  renameOnStick,
  stickDir,
  syncAndClose,
  syncDir,
  writeAll,
  type StickTarget,
} from './stick-files.js';
import { StickStream } from './stick-stream.js';
import type { BatchResult, BatchSigner, PhaseHook } from './types.js';

export interface BatchWriteContext {
  ledger: ExportLedger;
  target: StickTarget;
  signer: BatchSigner;
  /** the export folder's name at the stick's root as found there (FAT keeps the case it was made with) */
  folder: string;
  /** create that folder when it is missing (usb.anyStick, a marker file, `kiosk export --to`) */
  createFolder: boolean;
  chunkRecords: number;
  /** the data file is flushed to the stick every this many bytes while it is written */
  flushBytes: number;
  hook: PhaseHook;
  /** called after each chunk of records is written */
  progress: (records: number) => void;
  /** lets the event loop run (scans) between chunks */
  pause: () => Promise<void>;
  /** Unix ms, for exported_at */
  now: () => number;
}

export async function writeBatch(ctx: BatchWriteContext, batch: ExportBatch): Promise<BatchResult> {
  const at = { platformId: batch.platformId, sequence: batch.sequence };
  const [, ...chain] = batchFolder(batch.platformId, batch.terminalId);
  const dir = await stickDir(ctx.target, [ctx.folder, ...chain], ctx.createFolder);
  const names = batchFileNames(batch.sequence);
  const final = { data: path.join(dir, names.data), manifest: path.join(dir, names.manifest) };
  await refuseConflicts(ctx.target, dir, batch);
  await removeLeftovers(ctx.target, dir);
  const tmp = { data: `${final.data}.${process.pid}.partial`, manifest: `${final.manifest}.${process.pid}.partial` };
  try {
    const data = await writeData(ctx, batch, tmp.data);
    const signed = ensureSigned(ctx, batch, data.facts);
    const fh = await createOnStick(ctx.target, tmp.manifest);
    await writeAll(ctx.target, fh, tmp.manifest, signed.manifest);
    await syncAndClose(ctx.target, fh, tmp.manifest);
    await renameOnStick(ctx.target, tmp.data, final.data);
    await ctx.hook('rename', at);
    await renameOnStick(ctx.target, tmp.manifest, final.manifest);
    await syncDir(ctx.target, dir);
    await verifyOnStick(ctx, final, { ...signed, dataCrc32: data.crc32 }, at);
  } finally {
    await Promise.all([removeQuietly(tmp.data), removeQuietly(tmp.manifest)]);
  }
  if (!ctx.target.stillThere()) throw new ExportError('USB_REMOVED', `the stick at ${ctx.target.root} was unmounted before batch ${batch.sequence} was confirmed`);
  await ctx.hook('commit', at);
  const committed = ctx.ledger.commit(batch.id, ctx.now());
  return { platformId: batch.platformId, terminalId: batch.terminalId, sequence: batch.sequence, count: committed.signed?.count ?? 0, ...final };
}

/**
 * The stick must not already hold another batch with this number or a later
 * one of this chain: this ledger did not write those (restored from a backup,
 * or another kiosk with the same terminal id), and overwriting one would give
 * the platform two different batches with one number.
 */
async function refuseConflicts(target: StickTarget, dir: string, batch: ExportBatch): Promise<void> {
  for (const name of await listNames(target, dir)) {
    const seq = manifestSequence(name);
    if (seq === undefined || seq < batch.sequence) continue;
    const bytes = seq === batch.sequence ? await readIfThere(target, path.join(dir, name)) : undefined;
    if (bytes !== undefined && batch.signed !== null && Buffer.from(bytes).equals(batch.signed.manifest)) continue; // our own, from an earlier try
    throw new ExportError(
      'SEQUENCE_CONFLICT',
      `${path.join(dir, name)} is batch ${seq} of terminal ${batch.terminalId}, but this kiosk's ledger is at batch ${batch.sequence} and did not write it; keep that stick's batches and ask support`,
    );
  }
}

/** Temporary files of an export cut short (a yank, a kill): never imported, removed before the next one (one export at a time). */
async function removeLeftovers(target: StickTarget, dir: string): Promise<void> {
  for (const name of await listNames(target, dir)) {
    if (/^batch-\d+\.(jsonl|manifest)\.\d+\.partial$/.test(name)) await removeQuietly(path.join(dir, name));
  }
}

/**
 * Streams the batch's records into `file`, in bounded chunks read while the
 * previous one is written; returns what the manifest says of them.
 */
type DataFacts = Omit<SignedBatchFacts, 'manifest' | 'manifestSha256'>;

async function writeData(ctx: BatchWriteContext, batch: ExportBatch, file: string): Promise<{ facts: DataFacts; crc32: number }> {
  const at = { platformId: batch.platformId, sequence: batch.sequence };
  const out = new StickStream(ctx.target, await createOnStick(ctx.target, file), file, ctx.flushBytes);
  const hash = createHash('sha256');
  let crc = 0; // for the read-back
  const f = { count: 0, firstAt: Infinity, lastAt: -Infinity, lastSeq: 0, dataBytes: 0 };
  let writing = 0; // records of the write in flight
  try {
    for (;;) {
      const c = ctx.ledger.chunk(batch, f.lastSeq, Math.min(ctx.chunkRecords, batch.maxRecords - f.count));
      if (c === undefined) break;
      if (c.firstN !== f.count + 1) throw new ExportError('LEDGER_ERROR', `batch ${batch.sequence} of ${batch.platformId}: the ledger numbered record ${f.count + 1} as ${c.firstN}`);
      hash.update(c.bytes);
      crc = crc32(c.bytes, crc);
      f.count += c.count;
      f.lastSeq = c.lastSeq;
      f.firstAt = Math.min(f.firstAt, c.firstAt);
      f.lastAt = Math.max(f.lastAt, c.lastAt);
      f.dataBytes += c.bytes.byteLength;
      await out.append(c.bytes);
      ctx.progress(writing);
      writing = c.count;
      await ctx.hook('write', at);
      await ctx.pause();
    }
    await out.landed();
    ctx.progress(writing);
    await ctx.hook('fsync', at);
  } catch (err) {
    await out.abandon();
    throw err;
  }
  await out.finish();
  return { facts: { ...f, dataSha256: hash.digest('hex') }, crc32: crc };
}

/** The manifest: the ledger's own for a batch signed before, else signed now and kept in the ledger before any final rename. */
function ensureSigned(ctx: BatchWriteContext, batch: ExportBatch, facts: DataFacts): SignedBatchFacts {
  if (batch.signed !== null) {
    const s = batch.signed;
    if (s.count !== facts.count || s.dataSha256 !== facts.dataSha256 || s.lastSeq !== facts.lastSeq) {
      throw new ExportError('READBACK_MISMATCH', `batch ${batch.sequence} of ${batch.platformId} no longer matches its ledger records (${facts.count} records, signed with ${s.count})`);
    }
    return s;
  }
  const payload = encodeManifest({
    format: BATCH_FORMAT,
    platformId: batch.platformId,
    terminalId: batch.terminalId,
    sequence: batch.sequence,
    previousManifestSha256: batch.previousSha256,
    createdAt: batch.createdAt,
    count: facts.count,
    firstRedeemedAt: facts.firstAt,
    lastRedeemedAt: facts.lastAt,
    dataFile: batchFileNames(batch.sequence).data,
    dataSha256: facts.dataSha256,
    dataBytes: facts.dataBytes,
  });
  let manifest: Uint8Array;
  try {
    manifest = ctx.signer.sign(payload);
  } catch (err) {
    throw new ExportError('SIGNING_FAILED', `batch ${batch.sequence} of ${batch.platformId}: ${(err as Error).message}`, { cause: err });
  }
  const signed: SignedBatchFacts = { ...facts, manifest, manifestSha256: sha256Hex(manifest) };
  ctx.ledger.sign(batch.id, signed);
  return signed;
}

async function verifyOnStick(ctx: BatchWriteContext, final: { data: string; manifest: string }, s: SignedBatchFacts & { dataCrc32: number }, at: { platformId: string; sequence: number }): Promise<void> {
  const pause = async (): Promise<void> => {
    await ctx.hook('readback', at);
    await ctx.pause();
  };
  const data = await readBack(ctx.target, final.data, pause);
  if (data.crc32 !== s.dataCrc32 || data.bytes !== s.dataBytes) {
    throw new ExportError('READBACK_MISMATCH', `${final.data}: read back ${data.bytes} bytes, CRC-32 ${hex32(data.crc32)}; wrote ${s.dataBytes} bytes, CRC-32 ${hex32(s.dataCrc32)}`);
  }
  const manifest = await readBack(ctx.target, final.manifest, pause);
  const wrote = { crc32: crc32(s.manifest), bytes: s.manifest.byteLength };
  if (manifest.crc32 !== wrote.crc32 || manifest.bytes !== wrote.bytes) {
    throw new ExportError('READBACK_MISMATCH', `${final.manifest}: read back ${manifest.bytes} bytes, CRC-32 ${hex32(manifest.crc32)}; wrote ${wrote.bytes} bytes, CRC-32 ${hex32(wrote.crc32)}`);
  }
}

const hex32 = (n: number): string => n.toString(16).padStart(8, '0');
