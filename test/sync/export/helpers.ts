/** Shared set-up for the exporter tests: a ledger with redemptions, signers, sticks as directories. */
import { sign } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatSerial, generateKeyPair } from '../../../coupon/index.js';
import type { Ledger } from '../../../device/ledger/types.js';
import { silentLogger } from '../../../device/logger.js';
import { FakeClock } from '../../../drivers/clock/port.js';
import { checkBatchContents, parseManifestPayload, type ChainState } from '../../../protocol/batch-verify.js';
import { EXPORT_FOLDER, fatSafeName, sha256Hex } from '../../../protocol/batch.js';
import { Exporter, type ExporterOptions } from '../../../sync/export/exporter.js';
import type { StickTarget } from '../../../sync/export/stick-files.js';
import type { BatchSigner, PhaseHook, SignerLookup } from '../../../sync/export/types.js';
import { input } from '../../device/ledger/helpers.js';

/** Until signed documents are in: the payload, framed, with an Ed25519 signature (deterministic, like the real one). */
export function testSigner(platformId: string, terminalId = `T-${platformId}`): BatchSigner {
  const key = generateKeyPair('ed25519');
  return {
    platformId,
    terminalId,
    sign: (p) => Buffer.concat([Buffer.from(`TEST:${p.length}:`), p, sign(null, p, key.privateKey)]),
  };
}

export function payloadOf(manifest: Uint8Array): Uint8Array {
  const m = /^TEST:(\d+):/.exec(Buffer.from(manifest.subarray(0, 20)).toString('latin1'));
  if (!m?.[1]) throw new Error('not a test manifest');
  const start = m[0].length;
  return manifest.subarray(start, start + Number(m[1]));
}

export function signersFor(...signers: BatchSigner[]): SignerLookup {
  return (platformId) => {
    const s = signers.find((x) => x.platformId === platformId);
    return s ? { ok: true, signer: s } : { ok: false, code: 'NO_TERMINAL_IDENTITY', message: `no terminal key for ${platformId}` };
  };
}

/** The serial the kiosk gives redemption i of the ledger helpers (its cti as Crockford groups). */
export function serialOf(i: number): string {
  return formatSerial(Buffer.from(input(i).ctiHex, 'hex'));
}

export function fill(ledger: Ledger, from: number, to: number, platformId = 'plat-a'): void {
  for (let i = from; i < to; i++) ledger.redeem(input(i, { platformId, serial: serialOf(i) }));
}

export function stick(dir: string, name: string, marked = true): StickTarget & { path: string } {
  const root = path.join(dir, name);
  mkdirSync(marked ? path.join(root, EXPORT_FOLDER) : root, { recursive: true });
  return { root, path: root, stillThere: () => true };
}

export function makeExporter(ledger: Ledger, signers: SignerLookup, opts: { hook?: PhaseHook; options?: Partial<ExporterOptions> } = {}): Exporter {
  return new Exporter({ ledger, signers, clock: new FakeClock(1_780_000_900_000), logger: silentLogger(), ...opts });
}

export const MARKED = { folder: EXPORT_FOLDER, createFolder: false };

export function chainDir(root: string, platformId: string, terminalId: string): string {
  return path.join(root, EXPORT_FOLDER, fatSafeName(platformId), fatSafeName(terminalId));
}

/** The batch files of one chain on a stick, by name. */
export function chainFiles(root: string, platformId: string, terminalId: string): string[] {
  const dir = chainDir(root, platformId, terminalId);
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Verifies a chain on a stick the way the platform would (after the signature): every batch in order. */
export function verifyChain(root: string, platformId: string, terminalId: string): { sequence: number; serials: string[] }[] {
  const dir = chainDir(root, platformId, terminalId);
  const out: { sequence: number; serials: string[] }[] = [];
  let chain: ChainState = { previousManifestHash: null, previousSequence: 0 };
  for (const name of chainFiles(root, platformId, terminalId).filter((n) => n.endsWith('.manifest'))) {
    const bytes = readFileSync(path.join(dir, name));
    const sha = sha256Hex(bytes);
    const parsed = parseManifestPayload(payloadOf(bytes), sha);
    if (!parsed.ok) throw new Error(parsed.message);
    const v = checkBatchContents(parsed.manifest, sha, readFileSync(path.join(dir, parsed.manifest.dataFile)), chain);
    if (!v.ok) throw new Error(`${name}: ${v.code}: ${v.message}`);
    out.push({ sequence: v.manifest.sequence, serials: v.records.map((r) => r.serial) });
    chain = { previousManifestHash: sha, previousSequence: v.manifest.sequence };
  }
  return out;
}
