/**
 * Finding USB batches on a stick (or wherever they were copied) for
 * `coupon-platform import-batch`: a PATH is a `.manifest` file, a `.jsonl`
 * data file (its manifest beside it), or a folder searched for manifests
 * (`coupon-export/<platform>/<terminal>/batch-NNNNNN.manifest`). Each manifest
 * is paired with the data file it names, in the same folder (names compared
 * without case: FAT may have changed it). Batches come back in chain order
 * (terminal, then sequence) as their manifests claim, unverified: the
 * platform verifies everything.
 */
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { peekManifest } from '../protocol/batch-verify.js';
import { batchFileNames, manifestSequence } from '../protocol/batch.js';
import { CliError } from './cli-error.js';

export interface BatchFiles {
  manifestPath: string;
  manifest: Uint8Array;
  /** undefined when the data file is not there */
  dataPath: string | undefined;
  /** what the manifest claims, unverified (for ordering and messages) */
  terminalId?: string;
  sequence?: number;
  count?: number;
}

const isManifest = (name: string): boolean => name.toLowerCase().endsWith('.manifest');

function manifestsUnder(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) manifestsUnder(p, out);
    else if (e.isFile() && isManifest(e.name)) out.push(p);
  }
}

function manifestsOf(p: string): string[] {
  let st;
  try {
    st = statSync(p);
  } catch {
    throw new CliError('USAGE', `${p}: no such file or folder`);
  }
  if (st.isDirectory()) {
    const out: string[] = [];
    manifestsUnder(p, out);
    return out;
  }
  if (isManifest(p)) return [p];
  if (p.toLowerCase().endsWith('.jsonl')) return [p.replace(/\.jsonl$/i, '.manifest')];
  throw new CliError('USAGE', `${p} is not a batch (.manifest or .jsonl) or a folder of batches`);
}

/** The data file `name` in `dir`, its case as the file system has it. */
function sibling(dir: string, name: string): string | undefined {
  const found = readdirSync(dir).find((n) => n.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : path.join(dir, found);
}

function readBatch(manifestPath: string): BatchFiles {
  let manifest: Uint8Array;
  try {
    manifest = readFileSync(manifestPath);
  } catch (err) {
    throw new CliError('USAGE', `${manifestPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const claimed = peekManifest(manifest).manifest;
  const seq = claimed?.sequence ?? manifestSequence(path.basename(manifestPath));
  const dataName = claimed?.dataFile ?? (seq === undefined ? undefined : batchFileNames(seq).data);
  return {
    manifestPath, manifest,
    dataPath: dataName === undefined ? undefined : sibling(path.dirname(manifestPath), dataName),
    ...(claimed ? { terminalId: claimed.terminalId, count: claimed.count } : {}),
    ...(seq === undefined ? {} : { sequence: seq }),
  };
}

function realPath(manifest: string): string {
  try {
    return realpathSync(manifest);
  } catch {
    throw new CliError('USAGE', `${manifest}: no such file (the manifest of a data file must lie beside it)`);
  }
}

export function findBatches(paths: string[]): BatchFiles[] {
  const seen = new Set<string>();
  const batches: BatchFiles[] = [];
  for (const p of paths) {
    for (const m of manifestsOf(p)) {
      const real = realPath(m);
      if (seen.has(real)) continue;
      seen.add(real);
      batches.push(readBatch(m));
    }
  }
  const key = (b: BatchFiles) => [b.terminalId ?? '\uffff', b.sequence ?? Number.MAX_SAFE_INTEGER] as const;
  return batches.sort((a, b) => {
    const [ta, sa] = key(a);
    const [tb, sb] = key(b);
    return ta < tb ? -1 : ta > tb ? 1 : sa - sb;
  });
}
