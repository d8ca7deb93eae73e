/** Shared set-up for the exporter tests: a ledger with redemptions, signers, sticks as directories. */
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatSerial, generateKeyPair, kidOf, toHex } from '../../../coupon/index.js';
import type { Ledger } from '../../../device/ledger/types.js';
import { silentLogger } from '../../../device/logger.js';
import { FakeClock } from '../../../drivers/clock/port.js';
import { verifyBatch, type ChainState } from '../../../protocol/batch-verify.js';
import { EXPORT_FOLDER, fatSafeName } from '../../../protocol/batch.js';
import { Exporter, type ExporterOptions } from '../../../sync/export/exporter.js';
import { terminalSigner } from '../../../sync/export/signer.js';
import type { StickTarget } from '../../../sync/export/stick-files.js';
import type { BatchSigner, PhaseHook, SignerLookup } from '../../../sync/export/types.js';
import { input } from '../../device/ledger/helpers.js';

export interface TestSigner extends BatchSigner {
  publicKey: KeyObject;
}

/** A terminal identity as enrollment would make it, and its real signer. */
export function testSigner(platformId: string, terminalId = `T-${platformId}`): TestSigner {
  const key = generateKeyPair('ed25519');
  const identity = { platformId, terminalId, merchantId: 'm-1', branchId: 'b-1', ...key, kid: toHex(kidOf(key.publicKey)) };
  return { ...terminalSigner(identity), publicKey: key.publicKey };
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

/** The chain's folder on a stick; the export folder's case is the stick's (COUPON-EXPORT made on Windows). */
export function chainDir(root: string, platformId: string, terminalId: string): string {
  let folder = EXPORT_FOLDER;
  try {
    folder = readdirSync(root).find((n) => n.toLowerCase() === EXPORT_FOLDER) ?? EXPORT_FOLDER;
  } catch {
    // no stick there: the default name, which does not exist either
  }
  return path.join(root, folder, fatSafeName(platformId), fatSafeName(terminalId));
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

/** Verifies a chain on a stick the way the platform does: every batch in order, signature included. */
export function verifyChain(root: string, signer: TestSigner): { sequence: number; serials: string[] }[] {
  const dir = chainDir(root, signer.platformId, signer.terminalId);
  const out: { sequence: number; serials: string[] }[] = [];
  let chain: ChainState = { previousManifestHash: null, previousSequence: 0 };
  for (const name of chainFiles(root, signer.platformId, signer.terminalId).filter((n) => n.endsWith('.manifest'))) {
    const bytes = readFileSync(path.join(dir, name));
    const data = readFileSync(path.join(dir, name.replace(/\.manifest$/, '.jsonl')));
    const v = verifyBatch(bytes, data, { terminalKey: signer.publicKey, platformId: signer.platformId, terminalId: signer.terminalId, ...chain });
    if (!v.ok) throw new Error(`${name}: ${v.code}: ${v.message}`);
    out.push({ sequence: v.manifest.sequence, serials: v.records.map((r) => r.serial) });
    chain = { previousManifestHash: v.manifestSha256, previousSequence: v.manifest.sequence };
  }
  return out;
}
