/**
 * The merchant-key payload, the only message that ever holds private keys,
 * and only inside a sealed delivery (sealed.ts, passphrase.ts):
 *
 *   {"keys":[{"kid":"<16 hex>","kind":"x25519"|"rsa","pkcs8":"<base64 DER>"}]}
 *
 * Decoding checks each key against its declared kid and kind, so a delivery
 * cannot install a key under another key's name.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { KeyError, merchantKeyFrom, toHex } from '../coupon/keys.js';
import type { MerchantKey } from '../coupon/types.js';
import { merchantKeys } from './generated/payload-validators.js';
import type { MerchantKeysPayload } from './merchant-keys-schema.js';
import { jsonReader } from './payload-reader.js';

export type { MerchantKeysPayload } from './merchant-keys-schema.js';

export const MERCHANT_KEYS_CONTENT_TYPE = 'application/vnd.coupon-kiosk.merchant-keys+json';
export const MAX_MERCHANT_KEYS = 64;

export const MERCHANT_KEYS_CODES = ['INVALID_PAYLOAD', 'BAD_KEY', 'KID_MISMATCH', 'KIND_MISMATCH', 'DUPLICATE_KID'] as const;
export type MerchantKeysCode = (typeof MERCHANT_KEYS_CODES)[number];

export type MerchantKeysResult = { ok: true; keys: MerchantKey[] } | { ok: false; code: MerchantKeysCode; message: string };

// compiled at build time (tools/validators.ts): a kiosk applying a delivery loads neither typebox nor ajv
const reader = jsonReader<MerchantKeysPayload>(() => merchantKeys, 'merchant-key payload');

/** The UTF-8 JSON payload for these keys (each checked: X25519 or RSA ≥ 2048, kid and kind its own). */
export function encodeMerchantKeys(keys: readonly MerchantKey[]): Uint8Array {
  if (keys.length === 0 || keys.length > MAX_MERCHANT_KEYS) throw new TypeError(`a delivery holds 1 to ${MAX_MERCHANT_KEYS} keys, not ${keys.length}`);
  const entries = keys.map((key) => {
    const checked = merchantKeyFrom(key.privateKey);
    if (toHex(checked.kid) !== toHex(key.kid) || checked.kind !== key.kind) {
      throw new KeyError('KID_MISMATCH', `merchant key declared as ${toHex(key.kid)} (${key.kind}) is ${toHex(checked.kid)} (${checked.kind})`);
    }
    return { kid: toHex(checked.kid), kind: checked.kind, pkcs8: key.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64') };
  });
  if (new Set(entries.map((e) => e.kid)).size !== entries.length) throw new KeyError('DUPLICATE_KID', 'a merchant key is listed twice');
  return new TextEncoder().encode(JSON.stringify({ keys: entries } satisfies MerchantKeysPayload));
}

/** The keys of a payload, each checked against its declared kid and kind. Never throws. */
export function decodeMerchantKeys(bytes: Uint8Array): MerchantKeysResult {
  const read = reader.read(bytes);
  if (!read.ok) return { ok: false, code: 'INVALID_PAYLOAD', message: read.message };
  const keys: MerchantKey[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of read.value.keys.entries()) {
    const where = `keys[${i}] (kid ${entry.kid})`;
    const key = readKey(entry.pkcs8);
    if (key === undefined) return { ok: false, code: 'BAD_KEY', message: `${where}: pkcs8 is not a readable PKCS#8 private key` };
    let merchantKey: MerchantKey;
    try {
      merchantKey = merchantKeyFrom(key);
    } catch (err) {
      if (err instanceof KeyError) return { ok: false, code: 'BAD_KEY', message: `${where}: ${err.message}` };
      throw err;
    }
    const kid = toHex(merchantKey.kid);
    if (kid !== entry.kid) return { ok: false, code: 'KID_MISMATCH', message: `${where}: the key's kid is ${kid}` };
    if (merchantKey.kind !== entry.kind) return { ok: false, code: 'KIND_MISMATCH', message: `${where}: declared ${entry.kind}, the key is ${merchantKey.kind}` };
    if (seen.has(kid)) return { ok: false, code: 'DUPLICATE_KID', message: `${where} is listed twice` };
    seen.add(kid);
    keys.push(merchantKey);
  }
  return { ok: true, keys };
}

function readKey(pkcs8: string): KeyObject | undefined {
  try {
    return createPrivateKey({ key: Buffer.from(pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
}
