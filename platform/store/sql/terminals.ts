/** Enrollment tokens, terminals and request nonces. */
import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../db.js';
import { SQLSTATE, isViolation } from '../db.js';
import { StoreError } from '../errors.js';
import type { NewTerminal, Store, Terminal } from '../store.js';
import { TERMINAL } from './columns.js';

export function newTerminalId(): string {
  return `t-${randomBytes(8).toString('hex')}`;
}

async function insertTerminal(q: Queryable, t: NewTerminal, via: Terminal['enrolledVia']): Promise<Terminal> {
  try {
    const r = await q.query<Terminal>(
      `INSERT INTO terminals (terminal_id, merchant_id, branch_id, sign_kid, sign_public, wrap_kid, wrap_public, name, software, enrolled_via)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${TERMINAL}`,
      [newTerminalId(), t.merchantId, t.branchId, t.signKid, t.signPublic, t.wrapKid, t.wrapPublic, t.name, t.software, via],
    );
    return r.rows[0]!;
  } catch (err) {
    if (isViolation(err, SQLSTATE.UNIQUE_VIOLATION, 'terminals_sign_kid_key')) {
      throw new StoreError('TERMINAL_KEY_EXISTS', `a terminal with signing key ${t.signKid} is enrolled already: make a new key`, { cause: err });
    }
    if (isViolation(err, SQLSTATE.FOREIGN_KEY_VIOLATION)) throw new StoreError('UNKNOWN_BRANCH', `merchant '${t.merchantId}' has no branch '${t.branchId}'`, { cause: err });
    throw err;
  }
}

/**
 * After the atomic UPDATE found nothing: the terminal this token enrolled
 * when the same signing key asks again (its answer was lost: enrollment is
 * idempotent for the key that won), else why the token was refused.
 */
async function tokenRefusal(q: Queryable, sha256: Uint8Array, signKid: string): Promise<Terminal | StoreError> {
  const r = await q.query<{ used: boolean; signKid: string | null; terminalId: string | null }>(
    `SELECT e.used_at IS NOT NULL AS used, t.sign_kid AS "signKid", t.terminal_id AS "terminalId"
       FROM enrollment_tokens e LEFT JOIN terminals t ON t.terminal_id = e.terminal_id WHERE e.token_sha256 = $1`,
    [sha256],
  );
  const row = r.rows[0];
  if (!row) return new StoreError('TOKEN_UNKNOWN', 'this enrollment token is unknown: ask the platform for a new one');
  if (row.used && row.signKid === signKid && row.terminalId !== null) return selectTerminal(q, row.terminalId);
  if (row.used) return new StoreError('TOKEN_USED', 'this enrollment token was used already: ask the platform for a new one');
  return new StoreError('TOKEN_EXPIRED', 'this enrollment token has expired: ask the platform for a new one');
}

async function selectTerminal(q: Queryable, terminalId: string): Promise<Terminal> {
  const r = await q.query<Terminal>(`SELECT ${TERMINAL} FROM terminals WHERE terminal_id = $1`, [terminalId]);
  if (!r.rows[0]) throw new StoreError('UNKNOWN_TERMINAL', `no terminal '${terminalId}'`);
  return r.rows[0];
}

type TerminalMethods = Pick<Store,
  'createEnrollmentToken' | 'enrollWithToken' | 'registerTerminal' | 'terminal' | 'terminalBySignKid' | 'listTerminals' | 'setTerminalEnabled' | 'useNonce' | 'pruneNonces'>;

export function terminalQueries(db: Db): TerminalMethods {
  return {
    async createEnrollmentToken(t) {
      try {
        await db.query('INSERT INTO enrollment_tokens (token_sha256, merchant_id, branch_id, expires_at) VALUES ($1, $2, $3, $4)', [t.sha256, t.merchantId, t.branchId, t.expiresAt]);
      } catch (err) {
        if (isViolation(err, SQLSTATE.FOREIGN_KEY_VIOLATION)) throw new StoreError('UNKNOWN_BRANCH', `merchant '${t.merchantId}' has no branch '${t.branchId}'`, { cause: err });
        throw err;
      }
    },

    enrollWithToken: (sha256, device) =>
      db.transaction(async (tx) => {
        // the row lock of this UPDATE makes a racing enrollment wait, then find used_at set: exactly one wins
        const r = await tx.query<{ merchantId: string; branchId: string }>(
          `UPDATE enrollment_tokens SET used_at = now() WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > now()
           RETURNING merchant_id AS "merchantId", branch_id AS "branchId"`,
          [sha256],
        );
        const grant = r.rows[0];
        if (!grant) {
          const refusal = await tokenRefusal(tx, sha256, device.signKid);
          if (refusal instanceof StoreError) throw refusal;
          return refusal;
        }
        const terminal = await insertTerminal(tx, { ...device, ...grant }, 'token');
        await tx.query('UPDATE enrollment_tokens SET terminal_id = $2 WHERE token_sha256 = $1', [sha256, terminal.terminalId]);
        return terminal;
      }),

    registerTerminal: (t) => insertTerminal(db, t, 'bundle'),

    terminal: (terminalId) => selectTerminal(db, terminalId),

    async terminalBySignKid(kid) {
      return (await db.query<Terminal>(`SELECT ${TERMINAL} FROM terminals WHERE sign_kid = $1`, [kid])).rows[0];
    },

    async listTerminals(merchantId) {
      const r = await db.query<Terminal>(
        `SELECT ${TERMINAL} FROM terminals WHERE $1::text IS NULL OR merchant_id = $1 ORDER BY merchant_id, branch_id, created_at, terminal_id`,
        [merchantId ?? null],
      );
      return r.rows;
    },

    async setTerminalEnabled(terminalId, enabled) {
      const r = await db.query<Terminal>(
        `UPDATE terminals SET enabled = $2::boolean, disabled_at = CASE WHEN $2::boolean THEN NULL ELSE COALESCE(disabled_at, now()) END
         WHERE terminal_id = $1 RETURNING ${TERMINAL}`,
        [terminalId, enabled],
      );
      if (!r.rows[0]) throw new StoreError('UNKNOWN_TERMINAL', `no terminal '${terminalId}'`);
      return r.rows[0];
    },

    async useNonce(terminalId, nonce, expiresAt) {
      const r = await db.query('INSERT INTO request_nonces (terminal_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [terminalId, nonce, expiresAt]);
      if (r.rowCount === 0) throw new StoreError('REPLAYED_NONCE', `terminal ${terminalId} used this request nonce before`);
    },

    async pruneNonces() {
      return (await db.query('DELETE FROM request_nonces WHERE expires_at < now()', [])).rowCount;
    },
  };
}
