/** Issued coupons and revocations. */
import type { Db } from '../db.js';
import { SQLSTATE, isViolation } from '../db.js';
import { StoreError } from '../errors.js';
import type { MerchantKeyRecord, NewCoupon, Revocation, SigningKeyRecord, Store } from '../store.js';
import { COUPON, MERCHANT_KEY, REVOCATION, SIGNING_KEY } from './columns.js';

/** row_to_json gives bytea as '\\x…' hex text and times as ISO text: back to the Store's types. */
const bytes = (v: unknown): Uint8Array => Uint8Array.from(Buffer.from(String(v).replace(/^\\x/, ''), 'hex'));
const date = (v: unknown): Date => new Date(String(v));
const dateOrNull = (v: unknown): Date | null => (v === null ? null : date(v));

function reviveSigningKey(k: SigningKeyRecord): SigningKeyRecord {
  return { ...k, publicSpki: bytes(k.publicSpki), notBefore: date(k.notBefore), notAfter: dateOrNull(k.notAfter) };
}

function reviveMerchantKey(k: MerchantKeyRecord): MerchantKeyRecord {
  return { ...k, publicSpki: bytes(k.publicSpki), createdAt: date(k.createdAt), retiredAt: dateOrNull(k.retiredAt) };
}

/** Serialises revocations so that seq (max + 1) grows in commit order: a reader at cursor N never misses one. */
const REVOCATIONS_LOCK = `SELECT pg_advisory_xact_lock(hashtext('coupon-platform.revocations'))`;

type CouponMethods = Pick<Store, 'issuingContext' | 'registerCoupon' | 'coupon' | 'revoke' | 'revocationsAfter'>;

type ContextRow = { platformId: string | null; signer: SigningKeyRecord | null; merchantKey: MerchantKeyRecord | null; merchantKnown: boolean };

export function couponQueries(db: Db): CouponMethods {
  return {
    async issuingContext(merchantId) {
      // one statement, one snapshot: the three reads agree even while another process rotates a key
      const r = await db.query<ContextRow>(
        `SELECT (SELECT platform_id FROM platform) AS "platformId",
                (SELECT row_to_json(s) FROM (SELECT ${SIGNING_KEY} FROM signing_keys WHERE not_before <= now() AND (not_after IS NULL OR not_after > now())
                   ORDER BY not_before DESC, created_at DESC, kid LIMIT 1) s) AS signer,
                (SELECT row_to_json(k) FROM (SELECT ${MERCHANT_KEY} FROM merchant_keys WHERE merchant_id = $1 AND retired_at IS NULL) k) AS "merchantKey",
                EXISTS (SELECT 1 FROM merchants WHERE merchant_id = $1) AS "merchantKnown"`,
        [merchantId],
      );
      const row = r.rows[0]!;
      if (row.platformId === null || row.signer === null) throw new StoreError('NOT_INITIALISED', 'the platform has no identity or valid signing key');
      if (!row.merchantKnown) throw new StoreError('UNKNOWN_MERCHANT', `no merchant '${merchantId}'`);
      if (row.merchantKey === null) throw new StoreError('NO_MERCHANT_KEY', `merchant '${merchantId}' has no current key`);
      return { platformId: row.platformId, signer: reviveSigningKey(row.signer), merchantKey: reviveMerchantKey(row.merchantKey) };
    },

    async registerCoupon(c) {
      try {
        await db.query(
          `INSERT INTO coupons (cti_hex, merchant_id, product, quantity, consumer, title, iat, nbf, exp, merchant_kid, signer_kid)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [c.ctiHex, c.merchantId, c.product, c.quantity, c.consumer, c.title, c.iat, c.nbf, c.exp, c.merchantKid, c.signerKid],
        );
      } catch (err) {
        if (isViolation(err, SQLSTATE.UNIQUE_VIOLATION)) throw new StoreError('COUPON_EXISTS', `a coupon with serial ${c.ctiHex} exists`, { cause: err });
        if (isViolation(err, SQLSTATE.FOREIGN_KEY_VIOLATION, 'coupons_merchant_id_fkey')) throw new StoreError('UNKNOWN_MERCHANT', `no merchant '${c.merchantId}'`, { cause: err });
        throw err;
      }
    },

    async coupon(ctiHex) {
      const r = await db.query<NewCoupon & { issuedAt: Date }>(`SELECT ${COUPON} FROM coupons WHERE cti_hex = $1`, [ctiHex]);
      if (!r.rows[0]) throw new StoreError('UNKNOWN_COUPON', `no coupon with serial ${ctiHex} was issued by this platform`);
      return r.rows[0];
    },

    revoke: (ctiHex, reason) =>
      db.transaction(async (tx) => {
        await tx.query(REVOCATIONS_LOCK, []);
        const r = await tx.query<Revocation>(
          `INSERT INTO revocations (seq, cti_hex, merchant_id, reason)
           SELECT (SELECT COALESCE(max(seq), 0) + 1 FROM revocations), cti_hex, merchant_id, $2 FROM coupons WHERE cti_hex = $1
           ON CONFLICT ON CONSTRAINT revocations_once DO NOTHING RETURNING ${REVOCATION}`,
          [ctiHex, reason],
        );
        if (r.rows[0]) return r.rows[0];
        const known = await tx.query('SELECT 1 FROM coupons WHERE cti_hex = $1', [ctiHex]);
        if (known.rowCount === 0) throw new StoreError('UNKNOWN_COUPON', `no coupon with serial ${ctiHex} was issued by this platform`);
        throw new StoreError('ALREADY_REVOKED', `the coupon with serial ${ctiHex} is revoked already`);
      }),

    async revocationsAfter(merchantId, after, limit) {
      const r = await db.query<Revocation>(
        `SELECT ${REVOCATION} FROM revocations WHERE merchant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [merchantId, after, limit],
      );
      return { items: r.rows, cursor: r.rows[r.rows.length - 1]?.seq ?? after };
    },
  };
}
