/**
 * Merchant private keys leave the platform only sealed (docs/protocol.md
 * "Key delivery"): to a terminal's one-time transport key or its wrap key
 * (COSE_Encrypt), or under a passphrase in a provisioning bundle.
 */
import type { KeyObject } from 'node:crypto';
import { kidOf, merchantKeyFrom, toHex } from '../../coupon/index.js';
import { MERCHANT_KEYS_CONTENT_TYPE, encodeMerchantKeys } from '../../protocol/merchant-keys.js';
import { sealTo } from '../../protocol/sealed.js';
import type { MerchantKeyRecord } from '../store/store.js';
import { privateKeyOf } from './keys.js';

/** The merchant-key payload (JSON) of these keys; it holds private keys, so it is only ever sealed. */
export function merchantKeysPayload(keys: readonly MerchantKeyRecord[]): Uint8Array {
  return encodeMerchantKeys(keys.map((k) => merchantKeyFrom(privateKeyOf(k))));
}

/** The keys sealed to an X25519 public key (transport or wrap key). */
export function sealMerchantKeys(keys: readonly MerchantKeyRecord[], to: KeyObject): Uint8Array {
  return sealTo(merchantKeysPayload(keys), { kid: toHex(kidOf(to)), publicKey: to }, MERCHANT_KEYS_CONTENT_TYPE);
}
