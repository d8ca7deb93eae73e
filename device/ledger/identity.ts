/**
 * A ledger's identity: a random id and its creation time, written into its
 * `meta` table when it is created and recorded in the kiosk home's home.json
 * (device/home-ledger.ts). A file that does not carry the identity the home
 * expects is never used: not an empty file SQLite would happily turn into a
 * fresh ledger, not a copy from another kiosk.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ledgerError } from './errors.js';

export interface LedgerIdentity {
  /** 32 lowercase hex digits */
  id: string;
  /** Unix ms */
  createdMs: number;
}

export const LEDGER_ID_KEY = 'ledger_id';
export const LEDGER_CREATED_KEY = 'ledger_created';

export function newLedgerIdentity(nowMs: number): LedgerIdentity {
  return { id: randomBytes(16).toString('hex'), createdMs: nowMs };
}

/** What the file holds before anything is written to it. */
function contents(db: Database.Database): { version: number; tables: number } {
  const version = Number(db.pragma('user_version', { simple: true }));
  const tables = Number(db.prepare(`SELECT count(*) FROM sqlite_schema WHERE type = 'table'`).pluck().get());
  return { version, tables };
}

/** The identity in the meta table, or undefined (no meta table: an empty file; no row: a ledger from before identities). */
export function readIdentity(db: Database.Database): LedgerIdentity | undefined {
  const hasMeta = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'`).get() !== undefined;
  if (!hasMeta) return undefined;
  const get = db.prepare<[string], { value: unknown }>(`SELECT value FROM meta WHERE key = ?`);
  const id = get.get(LEDGER_ID_KEY)?.value;
  if (typeof id !== 'string') return undefined;
  return { id, createdMs: Number(get.get(LEDGER_CREATED_KEY)?.value ?? 0) };
}

/** Before migrating: the file must be the ledger `expected` names, never an empty file or another ledger. */
export function requireIdentity(db: Database.Database, path: string, expected: string): void {
  const { version, tables } = contents(db);
  if (version === 0 && tables === 0) {
    throw ledgerError('LEDGER_LOST', path, `the file is empty, not this kiosk's ledger ${expected}`);
  }
  const found = readIdentity(db);
  if (found === undefined) {
    throw ledgerError('LEDGER_MISMATCH', path, `the file carries no ledger identity, but this kiosk's ledger is ${expected} (home.json)`);
  }
  if (found.id !== expected) {
    const created = found.createdMs > 0 ? ` created ${new Date(found.createdMs).toISOString()}` : '';
    throw ledgerError('LEDGER_MISMATCH', path, `the file is ledger ${found.id}${created}, but this kiosk's ledger is ${expected} (home.json)`);
  }
}

/** A new ledger is made only in a new, empty file. */
export function requireEmpty(db: Database.Database, path: string): void {
  const { version, tables } = contents(db);
  if (version !== 0 || tables !== 0) throw ledgerError('LEDGER_MISMATCH', path, 'a new ledger was to be created, but the file already holds a database');
}

/** Adopting a ledger found in the home: it must be one (an empty database is not). */
export function requireLedger(db: Database.Database, path: string): void {
  if (contents(db).version === 0) throw ledgerError('LEDGER_LOST', path, 'the file holds no ledger (an empty database)');
}

/** Give a ledger its identity, once: an identity already there is kept and returned. */
export function stampIdentity(db: Database.Database, identity: LedgerIdentity): LedgerIdentity {
  const tx = db.transaction(() => {
    const existing = readIdentity(db);
    if (existing) return existing;
    const put = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`);
    put.run(LEDGER_ID_KEY, identity.id);
    put.run(LEDGER_CREATED_KEY, identity.createdMs);
    return identity;
  });
  return tx.immediate();
}
