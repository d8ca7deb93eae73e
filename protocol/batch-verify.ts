/**
 * What the platform runs on an imported USB batch. Pure: bytes and the
 * platform's record of the chain in, a verdict out. verifyBatch checks, in
 * this order: the manifest's signature by the terminal key, its schema, the
 * chain (no replay, no gap, no fork), the data file's size and SHA-256, and
 * every record; each failure has its own code (batch-errors.ts).
 */
import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { decodeCbor, formatSerial, kidOf, signAlgOf, Tagged, toHex } from '../coupon/index.js';
import { BATCH_ERRORS, type BatchErrorCode } from './batch-errors.js';
import { BATCH_MANIFEST_CONTENT_TYPE, BatchManifestSchema, BatchRecordSchema, sha256Hex, type BatchManifest, type BatchRecord } from './batch.js';
import { TAG_SIGN, verifyDocument, type DocumentCode } from './signed-document.js';
import { compileSchema, formatIssue, type ValidationIssue, type Validator } from './validate.js';

/** What the platform has accepted so far from this terminal for this platform. */
export interface ChainState {
  /** SHA-256 (hex) of the last accepted manifest file; null when none was accepted yet */
  previousManifestHash: string | null;
  /** its sequence number; 0 when none */
  previousSequence: number;
}

export type BatchVerdict =
  | { ok: true; manifest: BatchManifest; manifestSha256: string; records: BatchRecord[] }
  | { ok: false; code: BatchErrorCode; message: string; manifestSha256: string; manifest?: BatchManifest; line?: number };

type Failure = Extract<BatchVerdict, { ok: false }>;

export interface VerifyBatchOptions extends ChainState {
  /** the terminal's registered signing key (Ed25519 public key) */
  terminalKey: KeyObject;
  /** the platform and terminal that key is registered for; when given, the manifest must name them */
  platformId?: string;
  terminalId?: string;
}

const DOCUMENT_FAILURE: Record<DocumentCode, BatchErrorCode> = {
  MALFORMED: 'MANIFEST_MALFORMED',
  WRONG_CONTENT_TYPE: 'MANIFEST_MALFORMED',
  NO_KNOWN_SIGNER: 'MANIFEST_UNKNOWN_SIGNER',
  BAD_SIGNATURE: 'MANIFEST_SIGNATURE_INVALID',
};

/**
 * What the platform calls on an imported batch: `manifestBytes` is the
 * .manifest file, `dataBytes` the data file it names, `opts` the terminal's
 * key and what the platform accepted last from that terminal. Never throws.
 * A batch the platform already accepted (same manifest SHA-256) comes back
 * BATCH_REPLAYED: the platform recognises its own copy by manifestSha256 and
 * reports it as a duplicate.
 */
export function verifyBatch(manifestBytes: Uint8Array, dataBytes: Uint8Array, opts: VerifyBatchOptions): BatchVerdict {
  const manifestSha256 = sha256Hex(manifestBytes);
  const kid = toHex(kidOf(opts.terminalKey));
  const alg = signAlgOf(opts.terminalKey);
  const doc = verifyDocument(manifestBytes, BATCH_MANIFEST_CONTENT_TYPE, (k) => (k === kid ? { alg, publicKey: opts.terminalKey } : undefined));
  if (!doc.ok) return fail(DOCUMENT_FAILURE[doc.code], doc.message, manifestSha256);
  const parsed = parseManifestPayload(doc.payload, manifestSha256);
  if (!parsed.ok) return parsed;
  const m = parsed.manifest;
  if ((opts.platformId !== undefined && m.platformId !== opts.platformId) || (opts.terminalId !== undefined && m.terminalId !== opts.terminalId)) {
    const detail = `the manifest says platform ${m.platformId}, terminal ${m.terminalId}; the key ${kid} is registered for platform ${opts.platformId ?? '?'}, terminal ${opts.terminalId ?? '?'}`;
    return fail('MANIFEST_WRONG_TERMINAL', detail, manifestSha256, { manifest: m });
  }
  return checkBatchContents(m, manifestSha256, dataBytes, opts);
}

/**
 * Before verifying, the platform must know which terminal to check against:
 * the kids that signed the manifest and, unverified, what it says. Never throws.
 */
export function peekManifest(manifestBytes: Uint8Array): { kids: string[]; manifestSha256: string; manifest?: BatchManifest } {
  const kids: string[] = [];
  verifyDocument(manifestBytes, BATCH_MANIFEST_CONTENT_TYPE, (k) => void kids.push(k));
  const manifestSha256 = sha256Hex(manifestBytes);
  try {
    const outer = decodeCbor(manifestBytes);
    const payload = outer instanceof Tagged && outer.tag === TAG_SIGN && Array.isArray(outer.value) ? outer.value[2] : undefined;
    const parsed = payload instanceof Uint8Array ? parseManifestPayload(payload, manifestSha256) : undefined;
    return parsed?.ok ? { kids, manifestSha256, manifest: parsed.manifest } : { kids, manifestSha256 };
  } catch {
    return { kids, manifestSha256 };
  }
}

let validators: { manifest: Validator<BatchManifest>; record: Validator<BatchRecord> } | undefined;

/** Compiled once, on first use (protocol/validate.ts): pure functions of the schemas. */
function validate(): NonNullable<typeof validators> {
  validators ??= { manifest: compileSchema(BatchManifestSchema), record: compileSchema(BatchRecordSchema) };
  return validators;
}

function issuesText(issues: readonly ValidationIssue[]): string {
  return issues.map(formatIssue).join('; ');
}

function fail(code: BatchErrorCode, detail: string, manifestSha256: string, extra: Partial<Failure> = {}): Failure {
  return { ok: false, code, message: `${BATCH_ERRORS[code]}: ${detail}`, manifestSha256, ...extra };
}

/** The manifest payload (the signed document's content) as a BatchManifest, or a MANIFEST_MALFORMED failure. */
export function parseManifestPayload(payload: Uint8Array, manifestSha256: string): { ok: true; manifest: BatchManifest } | Failure {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    return fail('MANIFEST_MALFORMED', `the payload is not UTF-8 JSON (${(err as Error).message})`, manifestSha256);
  }
  const v = validate().manifest.validate(value);
  if (!v.ok) return fail('MANIFEST_MALFORMED', `the payload breaks the manifest schema: ${issuesText(v.issues)}`, manifestSha256);
  return { ok: true, manifest: v.value };
}

/** Replay, gap and fork, against what the platform accepted last from this chain. */
export function checkChain(m: BatchManifest, chain: ChainState, manifestSha256: string): Failure | undefined {
  const extra = { manifest: m };
  const expected = chain.previousSequence + 1;
  if (m.sequence < expected) {
    return fail('BATCH_REPLAYED', `batch ${m.sequence} of terminal ${m.terminalId}, but batch ${chain.previousSequence} was already accepted`, manifestSha256, extra);
  }
  if (m.sequence > expected) {
    const missing = expected === m.sequence - 1 ? `batch ${expected} is` : `batches ${expected} to ${m.sequence - 1} are`;
    return fail('BATCH_GAP', `batch ${m.sequence} of terminal ${m.terminalId}: ${missing} missing; import them first`, manifestSha256, extra);
  }
  if (m.previousManifestSha256 !== chain.previousManifestHash) {
    const want = chain.previousManifestHash ?? 'none (first batch)';
    return fail('BATCH_CHAIN_BROKEN', `batch ${m.sequence} says the previous manifest is ${m.previousManifestSha256 ?? 'none'}, the platform accepted ${want}`, manifestSha256, extra);
  }
  return undefined;
}

/**
 * Everything after the signature: the chain, the data file against the
 * manifest, and each record. The manifest must already be verified.
 */
export function checkBatchContents(m: BatchManifest, manifestSha256: string, data: Uint8Array, chain: ChainState): BatchVerdict {
  const chainProblem = checkChain(m, chain, manifestSha256);
  if (chainProblem) return chainProblem;
  if (data.length !== m.dataBytes || !sameHex(sha256Hex(data), m.dataSha256)) return diagnoseData(m, manifestSha256, data);
  return checkRecords(m, manifestSha256, data);
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The hash says the data was changed; the record numbers say how, for the operator. */
function diagnoseData(m: BatchManifest, manifestSha256: string, data: Uint8Array): Failure {
  const extra = { manifest: m };
  const lines = splitLines(data);
  const size = `${data.length} bytes, SHA-256 ${sha256Hex(data)}; signed: ${m.dataBytes} bytes, SHA-256 ${m.dataSha256}`;
  if (lines.length < m.count) return fail('DATA_RECORDS_DROPPED', `${lines.length} records, signed with ${m.count} (${size})`, manifestSha256, extra);
  if (lines.length > m.count) return fail('DATA_RECORDS_ADDED', `${lines.length} records, signed with ${m.count} (${size})`, manifestSha256, extra);
  const numbers = lines.map((l) => recordNumber(l));
  const sorted = [...numbers].sort((a, b) => a - b);
  const permutation = sorted.every((n, i) => n === i + 1);
  if (permutation && numbers.some((n, i) => n !== i + 1)) {
    const at = numbers.findIndex((n, i) => n !== i + 1);
    return fail('DATA_RECORDS_REORDERED', `line ${at + 1} holds record ${numbers[at]} (${size})`, manifestSha256, { ...extra, line: at + 1 });
  }
  return fail('DATA_ALTERED', size, manifestSha256, extra);
}

function recordNumber(line: string): number {
  try {
    const n = (JSON.parse(line) as { n?: unknown }).n;
    return typeof n === 'number' ? n : -1;
  } catch {
    return -1;
  }
}

/** Lines of the data file; the file ends in "\n", so the last split piece is empty. */
function splitLines(data: Uint8Array): string[] {
  const text = new TextDecoder('utf-8').decode(data);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function checkRecords(m: BatchManifest, manifestSha256: string, data: Uint8Array): BatchVerdict {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return fail('RECORD_INVALID', 'the data file is not UTF-8', manifestSha256, { manifest: m });
  }
  if (!text.endsWith('\n')) return fail('RECORD_INVALID', 'the data file does not end with a newline', manifestSha256, { manifest: m });
  const lines = text.slice(0, -1).split('\n');
  const records: BatchRecord[] = [];
  const seen = new Set<string>();
  for (const [i, line] of lines.entries()) {
    const r = checkRecord(m, line, i + 1, manifestSha256, seen);
    if ('ok' in r) return r;
    records.push(r);
  }
  return checkSummary(m, manifestSha256, records) ?? { ok: true, manifest: m, manifestSha256, records };
}

function checkRecord(m: BatchManifest, line: string, n: number, manifestSha256: string, seen: Set<string>): BatchRecord | Failure {
  const at = { manifest: m, line: n };
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return fail('RECORD_INVALID', `line ${n} is not JSON`, manifestSha256, at);
  }
  const checked = validate().record.validate(raw);
  if (!checked.ok) return fail('RECORD_INVALID', `line ${n}: ${issuesText(checked.issues)}`, manifestSha256, at);
  const value = checked.value;
  if (value.n !== n) return fail('RECORD_INVALID', `line ${n} is numbered ${value.n}`, manifestSha256, at);
  if (value.serial !== formatSerial(Buffer.from(value.ctiHex, 'hex'))) {
    return fail('RECORD_INVALID', `line ${n}: serial ${value.serial} is not the serial of cti ${value.ctiHex}`, manifestSha256, at);
  }
  if (value.platformId !== m.platformId) {
    return fail('RECORD_WRONG_PLATFORM', `line ${n} is for platform ${value.platformId}, the batch for ${m.platformId}`, manifestSha256, at);
  }
  // a coupon may come back (redeemed, reversed, redeemed anew): the same record twice may not
  const key = `${value.kind} ${value.ctiHex} ${value.redeemedAt}`;
  if (seen.has(key)) return fail('RECORD_DUPLICATE', `line ${n}: the ${value.kind} record of coupon ${value.serial} scanned at ${value.redeemedAt} appears before`, manifestSha256, at);
  seen.add(key);
  return value;
}

function checkSummary(m: BatchManifest, manifestSha256: string, records: BatchRecord[]): Failure | undefined {
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    first = Math.min(first, r.redeemedAt);
    last = Math.max(last, r.redeemedAt);
  }
  if (records.length !== m.count || first !== m.firstRedeemedAt || last !== m.lastRedeemedAt) {
    const detail = `${records.length} records from ${first} to ${last}; the manifest says ${m.count} from ${m.firstRedeemedAt} to ${m.lastRedeemedAt}`;
    return fail('MANIFEST_INCONSISTENT', detail, manifestSha256, { manifest: m });
  }
  return undefined;
}
