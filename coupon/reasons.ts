/**
 * The one list of verdict codes (COUPON-FORMAT.md §6), in the order the
 * terminal checks them. `VALID` is the answer of the pure format layer when
 * every format check passes; REVOKED, ALREADY_REDEEMED and ACCEPTED are given
 * by the kiosk core, which owns the revocation list and the ledger; the
 * claim verdicts (PLATFORM_REFUSED, OFFLINE_CANNOT_REDEEM,
 * OFFLINE_LIMIT_REACHED) come from a merchant's online claim mode
 * (docs/protocol.md "Claims").
 */
export const REASONS = [
  'NOT_A_COUPON',
  'MALFORMED',
  'UNSUPPORTED_ALGORITHM',
  'UNKNOWN_MERCHANT_KEY',
  'DECRYPTION_FAILED',
  'UNKNOWN_PLATFORM_KEY',
  'BAD_SIGNATURE',
  'WRONG_PLATFORM',
  'WRONG_MERCHANT',
  'NOT_YET_VALID',
  'EXPIRED',
  'REVOKED',
  'ALREADY_REDEEMED',
  'PLATFORM_REFUSED',
  'OFFLINE_CANNOT_REDEEM',
  'OFFLINE_LIMIT_REACHED',
  'ACCEPTED',
  'VALID',
] as const;

export type Reason = (typeof REASONS)[number];

/** Reasons the pure format layer (coupon/) can return. */
export type FormatReason = Exclude<Reason, 'REVOKED' | 'ALREADY_REDEEMED' | 'ACCEPTED' | ClaimReason>;

/** Reasons only an online claim gives. */
export type ClaimReason = 'PLATFORM_REFUSED' | 'OFFLINE_CANNOT_REDEEM' | 'OFFLINE_LIMIT_REACHED';

/** One line of plain words per reason, for people (English, Chinese). */
export const REASON_TEXT: Readonly<Record<Reason, { en: string; zh: string }>> = {
  NOT_A_COUPON: { en: 'Not a coupon', zh: '不是优惠券' },
  MALFORMED: { en: 'Damaged coupon', zh: '优惠券已损坏' },
  UNSUPPORTED_ALGORITHM: { en: 'Unsupported coupon type', zh: '不支持的优惠券类型' },
  UNKNOWN_MERCHANT_KEY: { en: 'Not for this shop', zh: '非本店优惠券' },
  DECRYPTION_FAILED: { en: 'Cannot decrypt', zh: '无法解密' },
  UNKNOWN_PLATFORM_KEY: { en: 'Unknown platform', zh: '未知平台' },
  BAD_SIGNATURE: { en: 'Forged coupon', zh: '签名无效' },
  WRONG_PLATFORM: { en: 'Wrong platform', zh: '平台不符' },
  WRONG_MERCHANT: { en: 'For another merchant', zh: '非本商户优惠券' },
  NOT_YET_VALID: { en: 'Not yet valid', zh: '尚未生效' },
  EXPIRED: { en: 'Expired', zh: '已过期' },
  REVOKED: { en: 'Refunded / revoked', zh: '已退款作废' },
  ALREADY_REDEEMED: { en: 'Already used', zh: '已使用' },
  PLATFORM_REFUSED: { en: 'Refused by platform', zh: '平台拒绝核销' },
  OFFLINE_CANNOT_REDEEM: { en: 'Offline: cannot redeem', zh: '离线 无法核销' },
  OFFLINE_LIMIT_REACHED: { en: 'Offline limit reached', zh: '离线核销已达上限' },
  ACCEPTED: { en: 'Accepted', zh: '验证成功' },
  VALID: { en: 'Valid', zh: '有效' },
};

export function isReason(x: unknown): x is Reason {
  return typeof x === 'string' && (REASONS as readonly string[]).includes(x);
}
