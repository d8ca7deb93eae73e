/** The exporter's ports and events. */
import type { ExportErrorCode } from './errors.js';

/** Signs one platform's manifests with the terminal key the kiosk holds for that platform. */
export interface BatchSigner {
  readonly platformId: string;
  /** the enrolled terminal id: the chain the batches belong to */
  readonly terminalId: string;
  /** the manifest file's bytes: a COSE_Sign of the payload (content type BATCH_MANIFEST_CONTENT_TYPE) */
  sign(payload: Uint8Array): Uint8Array;
}

export type SignerLookup = (platformId: string) => { ok: true; signer: BatchSigner } | { ok: false; code: ExportErrorCode; message: string };

/** Where an export can be cut short; fault injection (tests, KIOSK_FAULT_EXPORT) hooks in at each. */
export const EXPORT_PHASES = ['prepare', 'write', 'fsync', 'rename', 'readback', 'commit'] as const;
export type ExportPhase = (typeof EXPORT_PHASES)[number];
export type PhaseHook = (phase: ExportPhase, at: { platformId: string; sequence: number }) => void | Promise<void>;

export interface BatchResult {
  platformId: string;
  terminalId: string;
  sequence: number;
  count: number;
  /** absolute paths of the manifest and the data file on the stick */
  manifest: string;
  data: string;
}

export interface SkippedPlatform {
  platformId: string;
  code: ExportErrorCode;
  message: string;
  /** records of this platform left in the ledger */
  count: number;
}

export type ExportOutcome =
  | { state: 'done'; count: number; batches: BatchResult[]; skipped: SkippedPlatform[] }
  | { state: 'interrupted'; code: ExportErrorCode; message: string; count: number; batches: BatchResult[]; skipped: SkippedPlatform[] };

export interface ExportProgress {
  done: number;
  total: number;
  platformId: string;
}

export interface ExporterEvents {
  started: [info: { total: number; platforms: string[] }];
  progress: [progress: ExportProgress];
  skipped: [platform: SkippedPlatform];
  batch: [batch: BatchResult];
}
