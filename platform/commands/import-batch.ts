/**
 * `coupon-platform import-batch --url URL PATH... [--json]`: imports the USB
 * batches found in PATH (manifest files, data files, or folders such as a
 * stick's `coupon-export`) through the service (POST /v1/admin/usb-batches),
 * in chain order, and says what was accepted, what was a duplicate, what was
 * a conflict and what was refused and why. With --json: one summary line
 * `{"accepted","duplicates","conflicts","refused","batches":[…]}`. Exits 1
 * when anything was refused (a record or a whole batch), 0 otherwise.
 */
import { readFileSync } from 'node:fs';
import { ADMIN_OPTIONS, ADMIN_USAGE, RefusedError, adminClient, type AdminClient } from '../admin-client.js';
import { parseCommand } from '../args.js';
import { findBatches, type BatchFiles } from '../batch-files.js';
import { CliError } from '../cli-error.js';

export const summary = 'import USB batches (manifest + data files, or folders of them); print what was accepted, duplicate, conflicting or refused';

const USAGE = `usage: coupon-platform import-batch --url URL (--token-file FILE | --data DIR) [--json] PATH...

  PATH    a batch's .manifest or .jsonl file, or a folder searched for batches (e.g. the stick's coupon-export)
${ADMIN_USAGE}

  Exit status: 0 when every record was accepted, a duplicate or a conflict; 1 when anything was refused.`;

/** A batch of 100,000 records is recorded in one transaction: minutes on a busy PGlite, not the admin calls' usual minute. */
const IMPORT_TIMEOUT_MS = 15 * 60_000;

interface Note {
  n: number;
  serial: string;
  result: string;
  code?: string;
  message: string;
}

interface BatchOutcome {
  path: string;
  status: 'imported' | 'already-imported' | 'refused';
  terminalId?: string;
  sequence?: number;
  count: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  refused: number;
  code?: string;
  message?: string;
  records?: Note[];
}

/** How many records a refused batch held, as far as anyone can tell: its manifest's count, else its data file's lines. */
function claimedCount(b: BatchFiles, data: Uint8Array | undefined): number {
  if (b.count !== undefined) return b.count;
  return data ? Buffer.from(data).toString('utf8').split('\n').filter((l) => l !== '').length : 0;
}

async function importOne(client: AdminClient, b: BatchFiles): Promise<BatchOutcome> {
  const at = { path: b.manifestPath, ...(b.terminalId ? { terminalId: b.terminalId } : {}), ...(b.sequence ? { sequence: b.sequence } : {}) };
  const zero = { accepted: 0, duplicates: 0, conflicts: 0 };
  if (b.dataPath === undefined) {
    return { ...at, status: 'refused', count: claimedCount(b, undefined), ...zero, refused: claimedCount(b, undefined) || 1, code: 'DATA_FILE_MISSING', message: `the data file of ${b.manifestPath} is not beside it` };
  }
  const data = readFileSync(b.dataPath);
  try {
    const body = { manifest: Buffer.from(b.manifest).toString('base64'), data: data.toString('base64') };
    const r = await client.call<Omit<BatchOutcome, 'path'>>('POST', '/usb-batches', body, { timeoutMs: IMPORT_TIMEOUT_MS });
    return { ...at, ...r, path: b.manifestPath };
  } catch (err) {
    // a refusal of this batch (4xx with its code) is reported and the others go on; the service unreachable or saying no to us stops all
    if (!(err instanceof RefusedError) || err.status === undefined || err.status < 400 || err.status >= 500 || err.status === 401) throw err;
    const count = claimedCount(b, data);
    return { ...at, status: 'refused', count, ...zero, refused: Math.max(count, 1), code: err.code, message: err.message };
  }
}

function describe(o: BatchOutcome): string[] {
  const name = `${o.path}${o.sequence ? ` (batch ${o.sequence}${o.terminalId ? ` of ${o.terminalId}` : ''})` : ''}`;
  if (o.status === 'refused') return [`${name}: REFUSED ${o.code ?? ''}: ${o.message ?? ''}`];
  const head = `${name}: ${o.status}: ${o.accepted} accepted, ${o.duplicates} duplicates, ${o.conflicts} conflicts, ${o.refused} refused`;
  return [head, ...(o.records ?? []).map((r) => `  #${r.n} ${r.serial} ${r.result}${r.code ? ` ${r.code}` : ''}: ${r.message}`)];
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, ADMIN_OPTIONS, USAGE, true);
  if (!args) return 0;
  if (args.positionals.length === 0) throw new CliError('USAGE', `give at least one PATH\n${USAGE}`);
  const client = adminClient(args);
  const batches = findBatches(args.positionals);
  if (batches.length === 0) throw new CliError('USAGE', `no batch (.manifest file) in ${args.positionals.join(', ')}`);
  const outcomes: BatchOutcome[] = [];
  for (const b of batches) {
    const o = await importOne(client, b);
    outcomes.push(o);
    if (!args.flag('json')) process.stdout.write(describe(o).join('\n') + '\n');
  }
  const total = (k: 'accepted' | 'duplicates' | 'conflicts' | 'refused') => outcomes.reduce((n, o) => n + o[k], 0);
  const sum = { accepted: total('accepted'), duplicates: total('duplicates'), conflicts: total('conflicts'), refused: total('refused') };
  if (args.flag('json')) process.stdout.write(JSON.stringify({ ...sum, batches: outcomes }) + '\n');
  else process.stdout.write(`${batches.length} batches: ${sum.accepted} accepted, ${sum.duplicates} duplicates, ${sum.conflicts} conflicts, ${sum.refused} refused\n`);
  return sum.refused > 0 ? 1 : 0;
}
