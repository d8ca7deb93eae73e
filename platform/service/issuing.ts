/**
 * Issuing through the service (patent step 1 done by the platform): sign
 * with the newest valid platform key, encrypt to the merchant's current key,
 * register the coupon, and only then hand out its text: a coupon the
 * platform does not know never leaves it.
 */
import { randomBytes } from 'node:crypto';
import { formatSerial, issueCoupon, toHex } from '../../coupon/index.js';
import type { Claims } from '../../coupon/types.js';
import type { IssueBody } from './admin-schemas.js';
import { HttpError } from './errors.js';
import { recipientOf, signerOf } from './keys.js';
import type { ServiceDeps } from './types.js';

export const SERIAL_BYTES = 12;

export interface IssuedCoupon {
  text: string;
  serial: string;
  ctiHex: string;
  claims: Claims;
  signerKid: string;
  merchantKid: string;
}

const seconds = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Math.floor(Date.parse(iso) / 1000));

function claimsOf(body: IssueBody, platformId: string, nowS: number, validityS: number): Claims {
  const iat = seconds(body.iat) ?? nowS;
  const claims: Claims = {
    iss: platformId, sub: body.sub, aud: body.aud, iat, exp: seconds(body.exp) ?? iat + validityS,
    cti: Uint8Array.from(randomBytes(SERIAL_BYTES)), product: body.product, quantity: body.quantity,
  };
  const nbf = seconds(body.nbf);
  if (nbf !== undefined) claims.nbf = nbf;
  if (body.title !== undefined) claims.title = body.title;
  if (claims.exp <= claims.iat) throw new HttpError('BAD_CLAIMS', `body/exp (${body.exp ?? claims.exp}) must be after iat (${new Date(claims.iat * 1000).toISOString()})`);
  return claims;
}

export async function issueThroughService(deps: ServiceDeps, body: IssueBody): Promise<IssuedCoupon> {
  const { store } = deps;
  const { platformId, signer, merchantKey } = await store.issuingContext(body.aud);
  const claims = claimsOf(body, platformId, Math.floor(deps.now() / 1000), deps.config.couponValidityS);
  let text: string;
  try {
    text = issueCoupon(claims, { signer: signerOf(signer), recipient: recipientOf(merchantKey) });
  } catch (err) {
    if ((err as { code?: string }).code === 'BAD_CLAIMS') throw new HttpError('BAD_CLAIMS', (err as Error).message, { cause: err });
    throw err;
  }
  const ctiHex = toHex(claims.cti);
  await store.registerCoupon({
    ctiHex, merchantId: body.aud, product: claims.product, quantity: claims.quantity, consumer: claims.sub, title: claims.title ?? null,
    iat: new Date(claims.iat * 1000), nbf: claims.nbf === undefined ? null : new Date(claims.nbf * 1000), exp: new Date(claims.exp * 1000),
    merchantKid: merchantKey.kid, signerKid: signer.kid,
  });
  return { text, serial: formatSerial(claims.cti), ctiHex, claims, signerKid: signer.kid, merchantKid: merchantKey.kid };
}
