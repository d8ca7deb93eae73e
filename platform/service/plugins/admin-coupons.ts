/** Admin: issue coupons through the service, revoke them, and read redemptions and conflicts. */
import { SerialError, parseSerial, toHex } from '../../../coupon/index.js';
import { ConflictPage, CouponView, IssueBody, PageQuery, RedemptionPage, RevocationView, RevokeBody } from '../admin-schemas.js';
import { HttpError } from '../errors.js';
import { issueThroughService } from '../issuing.js';
import { ADMIN_SECURITY, ERROR_RESPONSES } from '../schemas.js';
import type { App, ServiceDeps } from '../types.js';
import { conflictView, iso, redemptionView, serialOf } from '../views.js';

const meta = (summary: string) => ({ summary, tags: ['admin'], security: ADMIN_SECURITY });

export async function adminCouponsPlugin(app: App, deps: ServiceDeps): Promise<void> {
  const { store } = deps;

  app.post('/coupons', {
    schema: { ...meta('Issue a coupon: signed with the current platform key, encrypted to the merchant\'s current key, registered'), body: IssueBody, response: { 201: CouponView, ...ERROR_RESPONSES } },
  }, async (req, reply) => {
    const c = await issueThroughService(deps, req.body);
    req.log.info({ serial: c.serial, aud: c.claims.aud, signerKid: c.signerKid }, 'coupon issued');
    return reply.code(201).send({
      text: c.text, serial: c.serial, ctiHex: c.ctiHex, aud: c.claims.aud, iat: iso(new Date(c.claims.iat * 1000)), exp: iso(new Date(c.claims.exp * 1000)),
      signerKid: c.signerKid, merchantKid: c.merchantKid,
    });
  });

  app.post('/revocations', {
    schema: { ...meta('Revoke a coupon (refund): terminals pull it and refuse the coupon as REVOKED, offline too'), body: RevokeBody, response: { 201: RevocationView, ...ERROR_RESPONSES } },
  }, async (req, reply) => {
    let cti: Uint8Array;
    try {
      cti = parseSerial(req.body.serial);
    } catch (err) {
      if (err instanceof SerialError) throw new HttpError('BAD_SERIAL', `body/serial '${req.body.serial}': ${err.message}`, { cause: err });
      throw err;
    }
    const r = await store.revoke(toHex(cti), req.body.reason ?? '');
    req.log.info({ serial: serialOf(r.ctiHex), seq: r.seq }, 'coupon revoked');
    return reply.code(201).send({ serial: serialOf(r.ctiHex), ctiHex: r.ctiHex, merchantId: r.merchantId, seq: r.seq, reason: r.reason, revokedAt: iso(r.revokedAt) });
  });

  app.get('/redemptions', { schema: { ...meta('Redemptions in the order they were recorded'), querystring: PageQuery, response: { 200: RedemptionPage, ...ERROR_RESPONSES } } }, async (req) => {
    const page = await store.redemptionsAfter(req.query.after, req.query.limit);
    return { items: page.items.map(redemptionView), cursor: page.cursor };
  });

  app.get('/conflicts', { schema: { ...meta('Redemptions that lost to another terminal\'s'), querystring: PageQuery, response: { 200: ConflictPage, ...ERROR_RESPONSES } } }, async (req) => {
    const page = await store.conflictsAfter(req.query.after, req.query.limit);
    return { items: page.items.map(conflictView), cursor: page.cursor };
  });
}
