/**
 * The `claims` section of config.json (claim modes, issue 9): the kiosk's own
 * side of the online claim. The claim MODE is the merchant's, set on the
 * platform and delivered at enrollment and in every state answer; these are
 * the kiosk's defaults and ceilings (device/claims/policy.ts: how the two
 * combine).
 */
import { Type, type Static } from 'typebox';

export const ClaimsSchema = Type.Object(
  {
    /** how long a scan waits for the platform's claim answer, ms, when the merchant's settings name none */
    timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 1500 }),
    /** online-preferred: most offline redemptions not yet uploaded (0: never accept offline); the stricter of this and the merchant's applies */
    offlineMaxCount: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 200 }),
    /** online-preferred: no offline acceptance while the oldest unsent offline redemption is older than this, seconds; the stricter applies */
    offlineMaxAgeS: Type.Integer({ minimum: 0, maximum: 31_536_000, default: 86_400 }),
    /** online-preferred: a coupon with a larger quantity is not accepted offline; the stricter applies */
    offlineMaxQuantity: Type.Integer({ minimum: 0, maximum: 10_000, default: 10 }),
  },
  { additionalProperties: false, default: {} },
);

export type ClaimsConfig = Static<typeof ClaimsSchema>;
