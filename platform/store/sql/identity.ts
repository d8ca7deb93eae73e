/** Platform identity, admin tokens, signing keys and trust bundles. */
import { timingSafeEqual } from 'node:crypto';
import type { Db, Queryable } from '../db.js';
import { StoreError } from '../errors.js';
import type { BundleBuilder, SigningKeyRecord, Store, TrustBundleRecord } from '../store.js';
import { SIGNING_KEY } from './columns.js';

/** Serialises key changes and bundle numbering across processes (seq = max + 1 under it). */
export const KEYS_LOCK = `SELECT pg_advisory_xact_lock(hashtext('coupon-platform.keys'))`;

const BUNDLE = `seq, document, issued_at AS "issuedAt"`;

async function insertSigningKey(tx: Queryable, k: SigningKeyRecord): Promise<void> {
  await tx.query(
    'INSERT INTO signing_keys (kid, alg, public_spki, private_pkcs8, not_before, not_after) VALUES ($1, $2, $3, $4, $5, $6)',
    [k.kid, k.alg, k.publicSpki, k.privatePkcs8, k.notBefore, k.notAfter],
  );
}

/** The next bundle over every key not yet expired; call under KEYS_LOCK. */
async function insertBundle(tx: Queryable, build: BundleBuilder): Promise<TrustBundleRecord> {
  const keys = await tx.query<SigningKeyRecord>(
    `SELECT ${SIGNING_KEY} FROM signing_keys WHERE not_after IS NULL OR not_after > now() ORDER BY not_before, kid`,
    [],
  );
  const next = await tx.query<{ seq: number; platformId: string }>(
    'SELECT (SELECT COALESCE(max(seq), 0) + 1 FROM trust_bundles) AS seq, platform_id AS "platformId" FROM platform',
    [],
  );
  const { seq, platformId } = next.rows[0]!;
  const r = await tx.query<TrustBundleRecord>(`INSERT INTO trust_bundles (seq, document) VALUES ($1, $2) RETURNING ${BUNDLE}`, [seq, build(seq, keys.rows, platformId)]);
  return r.rows[0]!;
}

type IdentityMethods = Pick<Store,
  'initPlatform' | 'platformId' | 'registerAdminToken' | 'isAdminToken' | 'validSigningKeys' | 'allSigningKeys' | 'rotateSigningKey' | 'latestTrustBundle'>;

export function identityQueries(db: Db): IdentityMethods {
  return {
    initPlatform: (opts) =>
      db.transaction(async (tx) => {
        await tx.query(KEYS_LOCK, []);
        const row = await tx.query<{ platformId: string }>('SELECT platform_id AS "platformId" FROM platform', []);
        let created = false;
        let platformId = row.rows[0]?.platformId;
        if (platformId === undefined) {
          platformId = opts.platformId ?? opts.randomId();
          await tx.query('INSERT INTO platform (platform_id) VALUES ($1)', [platformId]);
          created = true;
        } else if (opts.platformId !== undefined && opts.platformId !== platformId) {
          throw new StoreError('PLATFORM_ID_MISMATCH', `this database belongs to platform '${platformId}', not '${opts.platformId}' (--platform-id names a platform on its first start only)`);
        }
        const keys = await tx.query<{ n: number }>('SELECT count(*) AS n FROM signing_keys', []);
        if (keys.rows[0]!.n === 0) {
          await insertSigningKey(tx, opts.firstKey());
          await insertBundle(tx, opts.bundle);
        }
        return { platformId, created };
      }),

    async platformId() {
      const r = await db.query<{ platformId: string }>('SELECT platform_id AS "platformId" FROM platform', []);
      const id = r.rows[0]?.platformId;
      if (id === undefined) throw new StoreError('NOT_INITIALISED', 'the platform has no identity yet: start `coupon-platform serve` once');
      return id;
    },

    async registerAdminToken(sha256, label) {
      await db.query('INSERT INTO admin_tokens (token_sha256, label) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sha256, label]);
    },

    async isAdminToken(sha256) {
      // the lookup is by a SHA-256 of the secret, so its timing says nothing about the token; the compare is constant-time anyway
      const r = await db.query<{ h: Uint8Array }>('SELECT token_sha256 AS h FROM admin_tokens WHERE token_sha256 = $1', [sha256]);
      const h = r.rows[0]?.h;
      return h !== undefined && h.length === sha256.length && timingSafeEqual(h, sha256);
    },

    async validSigningKeys(at) {
      const r = await db.query<SigningKeyRecord>(
        `SELECT ${SIGNING_KEY} FROM signing_keys, (SELECT COALESCE($1::timestamptz, now()) AS t) AS at
         WHERE not_before <= at.t AND (not_after IS NULL OR not_after > at.t) ORDER BY not_before DESC, created_at DESC, kid`,
        [at ?? null],
      );
      return r.rows;
    },

    async allSigningKeys() {
      return (await db.query<SigningKeyRecord>(`SELECT ${SIGNING_KEY} FROM signing_keys ORDER BY not_before, kid`, [])).rows;
    },

    rotateSigningKey: (key, overlapEnd, bundle) =>
      db.transaction(async (tx) => {
        await tx.query(KEYS_LOCK, []);
        await tx.query(
          'UPDATE signing_keys SET not_after = $1 WHERE (not_after IS NULL OR not_after > $1) AND not_before < $1',
          [overlapEnd],
        );
        await insertSigningKey(tx, key);
        return insertBundle(tx, bundle);
      }),

    async latestTrustBundle() {
      const r = await db.query<TrustBundleRecord>(`SELECT ${BUNDLE} FROM trust_bundles ORDER BY seq DESC LIMIT 1`, []);
      const b = r.rows[0];
      if (!b) throw new StoreError('NOT_INITIALISED', 'the platform has no trust bundle yet: start `coupon-platform serve` once');
      return b;
    },
  };
}
