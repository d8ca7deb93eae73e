/** Issued coupons and revocations. */
import type { Db } from '../db.js';
import { SQLSTATE, isViolation } from '../db.js';
import { StoreError } from '../errors.js';
import type { NewCoupon, Revocation, Store } from '../store.js';
import { COUPON, REVOCATION } from './columns.js';

/** Serialises revocations so that seq (max + 1) grows in commit order: a reader at cursor N never misses one. */
const REVOCATIONS_LOCK = `SELECT pg_advisory_xact_lock(hashtext('coupon-platform.revocations'))`;

type CouponMethods = Pick<Store, 'registerCoupon' | 'coupon' | 'revoke' | 'revocationsAfter'>;

export function couponQueries(db: Db): CouponMethods {
  return {
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
