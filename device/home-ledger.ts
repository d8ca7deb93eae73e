/**
 * Which ledger a kiosk home owns, and the only way the kiosk opens it.
 *
 * A fresh ledger accepts every coupon again, so one is made only for a home
 * that never had one. Once home.json names a ledger (id in home.json and in
 * the ledger's meta table), the kiosk opens that ledger or nothing: a missing
 * or empty file is LEDGER_LOST, another ledger is LEDGER_MISMATCH, a ledgerPath
 * that no longer names it is LEDGER_PATH_MISMATCH. The ledger stays a regular
 * file inside the home (LEDGER_OUTSIDE_HOME otherwise). Homes from before
 * home.json (a ledger, maybe a `ledger.sqlite.created` marker) are adopted:
 * the ledger keeps everything and gets an identity. Starting over is
 * `kiosk ledger reset` (device/ledger-reset.ts).
 */
import { chmodSync, closeSync, existsSync, lstatSync, openSync, readFileSync, realpathSync, rmSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { KioskConfig } from './config.js';
import { placeNew } from './atomic-write.js';
import type { HomePaths } from './home.js';
import { readHomeRecord, writeHomeRecord, type HomeRecord } from './home-record.js';
import { ledgerError } from './ledger/errors.js';
import { newLedgerIdentity, type LedgerIdentity } from './ledger/identity.js';
import { openLedger, type SqliteLedger } from './ledger/sqlite-ledger.js';
import type { Logger } from './logger.js';

/** What the home says about its ledger, before anything is opened. */
export type LedgerPlan =
  /** home.json names it: open exactly that ledger */
  | { kind: 'open'; path: string; record: Readonly<HomeRecord>; moved: boolean }
  /** no home.json, but a ledger file: a home from before home.json, or a restore into a fresh home */
  | { kind: 'adopt'; path: string; createdMs: number }
  /** no home.json, no ledger, no sign there ever was one */
  | { kind: 'create'; path: string };

export const LEGACY_MARKER_SUFFIX = '.created';

/** Decide from home.json, config.json and the files what the ledger is; throws LedgerError when it must not be opened. */
export function planLedger(paths: HomePaths, config: Pick<KioskConfig, 'ledgerPath'>): LedgerPlan {
  const configured = config.ledgerPath;
  assertInsideHome(paths.home, configured);
  const record = readHomeRecord(paths);
  if (record) return recordedPlan(paths, configured, record);
  const marker = configured + LEGACY_MARKER_SUFFIX;
  const since = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : undefined;
  const file = statOrUndefined(configured);
  const leftovers = ledgerFiles(configured).slice(1).filter((f) => existsSync(f));
  if (!file && leftovers.length > 0) {
    // SQLite would replay a stranded -wal into a new file: a ledger was here
    throw ledgerError('LEDGER_LOST', configured, `the file is missing, but ${leftovers.map((f) => path.basename(f)).join(' and ')} of a ledger remain`);
  }
  if (file && file.size > 0) return { kind: 'adopt', path: configured, createdMs: since ? Date.parse(since) || Date.now() : Date.now() };
  if (since !== undefined) throw ledgerError('LEDGER_LOST', configured, `${file ? 'the file is empty' : 'the file is missing'}, but this kiosk has had a ledger since ${since} (${marker})`);
  if (file) throw ledgerError('LEDGER_LOST', configured, 'the file is empty (0 bytes), not a ledger; if this kiosk never had a ledger, delete the file');
  return { kind: 'create', path: configured };
}

function recordedPlan(paths: HomePaths, configured: string, record: Readonly<HomeRecord>): LedgerPlan {
  const recorded = path.resolve(paths.home, record.ledger.path);
  const { id, created } = record.ledger;
  if (recorded !== configured) {
    // moved by a technician (kiosk stopped, files moved, ledgerPath changed): the identity check at open decides.
    // Never while the recorded file is still there: a second copy may be an old one, which forgets redemptions.
    const stillThere = existsSync(recorded);
    if (existsSync(configured) && !stillThere) return { kind: 'open', path: configured, record, moved: true };
    const why = stillThere ? `this home's ledger ${id} is still at ${record.ledger.path} (home.json)` : `this home's ledger ${id} is ${record.ledger.path} (home.json)`;
    throw ledgerError('LEDGER_PATH_MISMATCH', configured, `config.json's ledgerPath does not name this home's ledger: ${why}`);
  }
  assertInsideHome(paths.home, recorded);
  const file = statOrUndefined(recorded);
  if (!file || file.size === 0) {
    throw ledgerError('LEDGER_LOST', recorded, `the file is ${file ? 'empty' : 'missing'}, but this kiosk's ledger ${id} has existed since ${created} (home.json)`);
  }
  return { kind: 'open', path: recorded, record, moved: false };
}

export interface HomeLedgerOptions {
  logger: Logger;
  /** Unix ms, for the identity of a new ledger */
  now?: () => number;
  /** how long opening waits for another process's lock (device/ledger/connection.ts) */
  openBusyTimeoutMs?: number;
}

/** The service's and `kiosk redeem`'s way to the ledger: read-write, created or adopted when the plan says so. */
export function openHomeLedger(paths: HomePaths, config: Pick<KioskConfig, 'ledgerPath'>, opts: HomeLedgerOptions): SqliteLedger {
  const plan = planLedger(paths, config);
  const log = opts.logger.child({ module: 'home-ledger' });
  if (plan.kind === 'create') return createHomeLedger(paths, plan.path, newLedgerIdentity((opts.now ?? Date.now)()), opts.logger);
  tightenModes(plan.path, log);
  const busy = opts.openBusyTimeoutMs !== undefined ? { openBusyTimeoutMs: opts.openBusyTimeoutMs } : {};
  if (plan.kind === 'open') {
    const ledger = openLedger(plan.path, { logger: opts.logger, expectId: plan.record.ledger.id, ...busy });
    if (plan.moved) {
      writeHomeRecord(paths, { ...plan.record, ledger: { ...plan.record.ledger, path: relative(paths, plan.path) } });
      log.warn({ id: plan.record.ledger.id, path: plan.path }, 'ledger found at the new ledgerPath; home.json updated');
    }
    return ledger;
  }
  const ledger = openLedger(plan.path, { logger: opts.logger, adopt: newLedgerIdentity(plan.createdMs), ...busy });
  const identity = ledger.identity() as LedgerIdentity;
  writeHomeRecord(paths, { format: 1, ledger: { id: identity.id, path: relative(paths, plan.path), created: new Date(identity.createdMs).toISOString() }, retired: [] });
  log.warn({ id: identity.id, path: plan.path }, 'ledger adopted: home.json now records it');
  return ledger;
}

/** Status, list, doctor, backup: read-only; undefined when the home has no ledger yet (nothing is created). */
export function openHomeLedgerReadOnly(paths: HomePaths, config: Pick<KioskConfig, 'ledgerPath'>, opts: HomeLedgerOptions): SqliteLedger | undefined {
  const plan = planLedger(paths, config);
  if (plan.kind === 'create') return undefined;
  const expectId = plan.kind === 'open' ? plan.record.ledger.id : undefined;
  return openLedger(plan.path, { logger: opts.logger, readonly: true, ...(expectId ? { expectId } : {}) });
}

/**
 * A new ledger is built under a temporary name and linked into place (never
 * over a file that appeared meanwhile), then recorded in home.json. A crash
 * before home.json leaves a stamped ledger, which the next start adopts.
 */
export function createHomeLedger(paths: HomePaths, file: string, identity: LedgerIdentity, logger: Logger, retired: HomeRecord['retired'] = []): SqliteLedger {
  const stranded = ledgerFiles(file).filter((f) => existsSync(f));
  if (stranded.length > 0) throw ledgerError('LEDGER_MISMATCH', file, `a new ledger was to be created here, but ${stranded.join(', ')} exist`);
  const tmp = `${file}.new-${randomBytes(4).toString('hex')}`;
  closeSync(openSync(tmp, 'wx', 0o600)); // SQLite gives -wal and -shm the database file's mode
  try {
    openLedger(tmp, { logger, create: identity }).close();
    placeNew(tmp, file);
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  }
  const ledger = openLedger(file, { logger, expectId: identity.id });
  writeHomeRecord(paths, { format: 1, ledger: { id: identity.id, path: relative(paths, file), created: new Date(identity.createdMs).toISOString() }, retired });
  logger.child({ module: 'home-ledger' }).info({ id: identity.id, path: file }, 'new ledger created');
  return ledger;
}

/** The files SQLite keeps for a ledger. */
export function ledgerFiles(file: string): string[] {
  return ['', '-wal', '-shm', '-journal'].map((s) => file + s);
}

/**
 * Inside the home, as a regular file: no "..", no absolute path elsewhere, no
 * directory on the way that is a symlink out of the home, no symlink for the
 * ledger or its -wal/-shm (SQLite would follow it, to tmpfs or another kiosk's
 * ledger).
 */
export function assertInsideHome(home: string, file: string): void {
  const outside = (why: string): Error => ledgerError('LEDGER_OUTSIDE_HOME', file, why);
  const rel = path.relative(home, file);
  if (rel === '' || rel.split(path.sep)[0] === '..' || path.isAbsolute(rel)) throw outside(`it is not inside the kiosk home ${home}`);
  let dir: string;
  try {
    dir = realpathSync(path.dirname(file));
  } catch (err) {
    throw ledgerError('LEDGER_OPEN_FAILED', file, `its directory cannot be resolved (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
  const realHome = realpathSync(home);
  if (dir !== realHome && !dir.startsWith(realHome + path.sep)) throw outside(`its directory resolves to ${dir}, outside the kiosk home ${realHome}`);
  for (const f of ledgerFiles(file)) {
    if (statOrUndefined(f)?.isSymbolicLink()) throw outside(`${f} is a symlink`);
  }
}

/** The ledger holds consumer ids: owner only. A looser file (an older kiosk made them 0644) is tightened, and said so. */
function tightenModes(file: string, log: Logger): void {
  if (process.platform === 'win32') return;
  for (const f of ledgerFiles(file)) {
    const st = statOrUndefined(f);
    if (!st || (st.mode & 0o077) === 0) continue;
    try {
      chmodSync(f, 0o600);
      log.info({ file: f, was: (st.mode & 0o777).toString(8) }, 'ledger file made readable by the service user only (0600)');
    } catch (err) {
      log.warn({ file: f, err: (err as Error).message }, `ledger file is mode ${(st.mode & 0o777).toString(8)}: run chmod 600 ${f}`);
    }
  }
}

function relative(paths: HomePaths, file: string): string {
  return path.relative(paths.home, file);
}

/** lstat: a symlink is itself, never what it points to. */
function statOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
