/** Merchants, their sync settings, key pairs and branches. */
import type { Db, Queryable } from '../db.js';
import { SQLSTATE, isViolation } from '../db.js';
import { StoreError } from '../errors.js';
import type { Branch, Merchant, MerchantKeyRecord, NewMerchantKey, Store, SyncSettings } from '../store.js';
import { BRANCH, MERCHANT, MERCHANT_KEY, SETTINGS_COLUMNS } from './columns.js';

type MerchantRow = Omit<Merchant, 'settings'> & SyncSettings;

function toMerchant(r: MerchantRow): Merchant {
  const settings = {} as SyncSettings;
  for (const k of Object.keys(SETTINGS_COLUMNS) as Array<keyof SyncSettings>) settings[k] = r[k];
  return { merchantId: r.merchantId, name: r.name, claimMode: r.claimMode, createdAt: r.createdAt, settings };
}

/** `forUpdate` row-locks the merchant: concurrent key rotations of one merchant then run one after the other. */
async function selectMerchant(q: Queryable, merchantId: string, forUpdate = false): Promise<Merchant> {
  const r = await q.query<MerchantRow>(`SELECT ${MERCHANT} FROM merchants WHERE merchant_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [merchantId]);
  if (!r.rows[0]) throw new StoreError('UNKNOWN_MERCHANT', `no merchant '${merchantId}'`);
  return toMerchant(r.rows[0]);
}

/** SET clauses from a fixed column map (never from the caller's strings). */
async function updateColumns(q: Queryable, merchantId: string, values: Array<[string, unknown]>): Promise<void> {
  if (values.length === 0) return;
  const set = values.map(([col], i) => `${col} = $${i + 2}`).join(', ');
  const r = await q.query(`UPDATE merchants SET ${set} WHERE merchant_id = $1`, [merchantId, ...values.map(([, v]) => v)]);
  if (r.rowCount === 0) throw new StoreError('UNKNOWN_MERCHANT', `no merchant '${merchantId}'`);
}

function settingColumns(settings: Partial<SyncSettings> | undefined): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, col] of Object.entries(SETTINGS_COLUMNS)) {
    const v = settings?.[k as keyof SyncSettings];
    if (v !== undefined) out.push([col, v]);
  }
  return out;
}

async function insertKey(q: Queryable, merchantId: string, k: NewMerchantKey): Promise<MerchantKeyRecord> {
  const r = await q.query<MerchantKeyRecord>(
    `INSERT INTO merchant_keys (kid, merchant_id, kind, public_spki, private_pkcs8) VALUES ($1, $2, $3, $4, $5) RETURNING ${MERCHANT_KEY}`,
    [k.kid, merchantId, k.kind, k.publicSpki, k.privatePkcs8],
  );
  return r.rows[0]!;
}

type MerchantMethods = Pick<Store,
  'addMerchant' | 'merchant' | 'listMerchants' | 'updateMerchant' | 'currentMerchantKey' | 'merchantKeys' | 'liveMerchantKeys' | 'rotateMerchantKey' | 'addBranch' | 'listBranches'>;

export function merchantQueries(db: Db): MerchantMethods {
  return {
    addMerchant: (m) =>
      db.transaction(async (tx) => {
        const ins = await tx.query('INSERT INTO merchants (merchant_id, name, claim_mode) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [m.merchantId, m.name, m.claimMode]);
        if (ins.rowCount === 0) throw new StoreError('MERCHANT_EXISTS', `merchant '${m.merchantId}' exists already`);
        await updateColumns(tx, m.merchantId, settingColumns(m.settings));
        await insertKey(tx, m.merchantId, m.key);
        return selectMerchant(tx, m.merchantId);
      }),

    merchant: (merchantId) => selectMerchant(db, merchantId),

    async listMerchants() {
      return (await db.query<MerchantRow>(`SELECT ${MERCHANT} FROM merchants ORDER BY merchant_id`, [])).rows.map(toMerchant);
    },

    updateMerchant: (merchantId, change) =>
      db.transaction(async (tx) => {
        const cols = settingColumns(change.settings);
        if (change.claimMode !== undefined) cols.push(['claim_mode', change.claimMode]);
        await updateColumns(tx, merchantId, cols);
        return selectMerchant(tx, merchantId);
      }),

    async currentMerchantKey(merchantId) {
      const r = await db.query<MerchantKeyRecord>(
        `SELECT ${MERCHANT_KEY} FROM merchant_keys WHERE merchant_id = $1 AND retired_at IS NULL`,
        [merchantId],
      );
      if (!r.rows[0]) {
        await selectMerchant(db, merchantId); // UNKNOWN_MERCHANT first, when that is the cause
        throw new StoreError('NO_MERCHANT_KEY', `merchant '${merchantId}' has no current key`);
      }
      return r.rows[0];
    },

    async merchantKeys(merchantId) {
      return (await db.query<MerchantKeyRecord>(`SELECT ${MERCHANT_KEY} FROM merchant_keys WHERE merchant_id = $1 ORDER BY created_at DESC, kid`, [merchantId])).rows;
    },

    async liveMerchantKeys(merchantId) {
      const r = await db.query<MerchantKeyRecord>(
        `SELECT ${MERCHANT_KEY} FROM merchant_keys k WHERE merchant_id = $1
           AND (retired_at IS NULL OR EXISTS (SELECT 1 FROM coupons c WHERE c.merchant_kid = k.kid AND c.exp > now()))
         ORDER BY created_at DESC, kid`,
        [merchantId],
      );
      return r.rows;
    },

    rotateMerchantKey: (merchantId, key) =>
      db.transaction(async (tx) => {
        await selectMerchant(tx, merchantId, true);
        await tx.query('UPDATE merchant_keys SET retired_at = now() WHERE merchant_id = $1 AND retired_at IS NULL', [merchantId]);
        return insertKey(tx, merchantId, key);
      }),

    async addBranch(b) {
      try {
        const r = await db.query<Branch>(`INSERT INTO branches (merchant_id, branch_id, name) VALUES ($1, $2, $3) RETURNING ${BRANCH}`, [b.merchantId, b.branchId, b.name]);
        return r.rows[0]!;
      } catch (err) {
        if (isViolation(err, SQLSTATE.FOREIGN_KEY_VIOLATION)) throw new StoreError('UNKNOWN_MERCHANT', `no merchant '${b.merchantId}'`, { cause: err });
        if (isViolation(err, SQLSTATE.UNIQUE_VIOLATION)) throw new StoreError('BRANCH_EXISTS', `merchant '${b.merchantId}' has a branch '${b.branchId}' already`, { cause: err });
        throw err;
      }
    },

    async listBranches(merchantId) {
      await selectMerchant(db, merchantId);
      return (await db.query<Branch>(`SELECT ${BRANCH} FROM branches WHERE merchant_id = $1 ORDER BY branch_id`, [merchantId])).rows;
    },
  };
}
