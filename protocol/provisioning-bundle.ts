/**
 * The offline provisioning bundle (`coupon-platform bundle`, `kiosk provision
 * import --bundle`): the material of an enrollment for a shop without network
 * at install time. The platform makes the terminal's keys, registers the
 * terminal, and writes one JSON file:
 *
 *   { format, version, platformId, merchantId, branchId, terminalId, createdAt,
 *     enrollment: base64 signed enrollment document,
 *     trust:      base64 signed trust bundle,
 *     keys:       passphrase-sealed envelope (passphrase.ts) of the keys payload }
 *
 * The keys payload (content type PROVISIONING_KEYS_CONTENT_TYPE) holds the
 * terminal's Ed25519 signing key, its X25519 wrap key and the merchant keys
 * (the merchant-keys payload of merchant-keys.ts). The enrollment document
 * names the terminal and wrap kids, so a kiosk checks the keys against it.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { kidOf, toHex } from '../coupon/keys.js';
import type { MerchantKey } from '../coupon/types.js';
import { payloadReader } from './json-payload.js';
import { decodeMerchantKeys, encodeMerchantKeys } from './merchant-keys.js';
import { MerchantKeysSchema } from './merchant-keys-schema.js';
import { PassphraseSealedSchema } from './passphrase.js';

export const PROVISIONING_BUNDLE_FORMAT = 'coupon-kiosk/provisioning-bundle';
export const PROVISIONING_BUNDLE_VERSION = 1;
export const PROVISIONING_KEYS_CONTENT_TYPE = 'application/vnd.coupon-kiosk.provisioning-keys+json';

const Base64 = (maxLength: number) => Type.String({ pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$', minLength: 4, maxLength });
const Id = Type.String({ minLength: 1, maxLength: 128 });

export const ProvisioningBundleSchema = Type.Object(
  {
    format: Type.Literal(PROVISIONING_BUNDLE_FORMAT),
    version: Type.Literal(PROVISIONING_BUNDLE_VERSION),
    platformId: Id,
    merchantId: Id,
    branchId: Id,
    terminalId: Id,
    createdAt: Type.Integer({ minimum: 0 }),
    enrollment: Base64(65536),
    trust: Base64(262144),
    keys: PassphraseSealedSchema,
  },
  { additionalProperties: false },
);
export type ProvisioningBundle = Static<typeof ProvisioningBundleSchema>;

const KeyEntry = Type.Object({ kid: Type.String({ pattern: '^[0-9a-f]{16}$' }), pkcs8: Base64(256) }, { additionalProperties: false });

export const ProvisioningKeysSchema = Type.Object(
  { terminalKey: KeyEntry, wrapKey: KeyEntry, merchantKeys: MerchantKeysSchema },
  { additionalProperties: false },
);

export interface ProvisioningKeys {
  /** Ed25519: signs the terminal's requests and batch manifests */
  terminalKey: KeyObject;
  /** X25519: later merchant keys are sealed to it */
  wrapKey: KeyObject;
  merchantKeys: MerchantKey[];
}

export const PROVISIONING_BUNDLE_CODES = ['INVALID_BUNDLE', 'BAD_KEY'] as const;
export type ProvisioningBundleCode = (typeof PROVISIONING_BUNDLE_CODES)[number];
export type ProvisioningResult<T> = { ok: true; value: T } | { ok: false; code: ProvisioningBundleCode; message: string };

const bundleReader = payloadReader(ProvisioningBundleSchema, 'provisioning bundle');
const keysReader = payloadReader(ProvisioningKeysSchema, 'provisioning keys');

function entry(key: KeyObject, type: 'ed25519' | 'x25519'): Static<typeof KeyEntry> {
  if (key.type !== 'private' || key.asymmetricKeyType !== type) throw new TypeError(`expected an ${type} private key`);
  return { kid: toHex(kidOf(key)), pkcs8: key.export({ type: 'pkcs8', format: 'der' }).toString('base64') };
}

/** The payload to seal under the passphrase. */
export function encodeProvisioningKeys(keys: ProvisioningKeys): Uint8Array {
  const merchantKeys = JSON.parse(new TextDecoder().decode(encodeMerchantKeys(keys.merchantKeys))) as unknown;
  const value = { terminalKey: entry(keys.terminalKey, 'ed25519'), wrapKey: entry(keys.wrapKey, 'x25519'), merchantKeys };
  const checked = keysReader.check(value);
  if (!checked.ok) throw new TypeError(checked.message);
  return new TextEncoder().encode(JSON.stringify(checked.value));
}

function readEntry(e: Static<typeof KeyEntry>, type: 'ed25519' | 'x25519', field: string): KeyObject | string {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(e.pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    return `${field}: not a readable PKCS#8 private key`;
  }
  if (key.asymmetricKeyType !== type) return `${field}: must be ${type}, not ${String(key.asymmetricKeyType)}`;
  if (toHex(kidOf(key)) !== e.kid) return `${field}: the key's kid is ${toHex(kidOf(key))}, not ${e.kid}`;
  return key;
}

/** The opened payload, every key checked against its kid and kind. Never throws. */
export function decodeProvisioningKeys(bytes: Uint8Array): ProvisioningResult<ProvisioningKeys> {
  const read = keysReader.read(bytes);
  if (!read.ok) return { ok: false, code: 'INVALID_BUNDLE', message: read.message };
  const terminalKey = readEntry(read.value.terminalKey, 'ed25519', 'terminalKey');
  if (typeof terminalKey === 'string') return { ok: false, code: 'BAD_KEY', message: terminalKey };
  const wrapKey = readEntry(read.value.wrapKey, 'x25519', 'wrapKey');
  if (typeof wrapKey === 'string') return { ok: false, code: 'BAD_KEY', message: wrapKey };
  const merchant = decodeMerchantKeys(new TextEncoder().encode(JSON.stringify(read.value.merchantKeys)));
  if (!merchant.ok) return { ok: false, code: 'BAD_KEY', message: `merchantKeys: ${merchant.message}` };
  return { ok: true, value: { terminalKey, wrapKey, merchantKeys: merchant.keys } };
}

/** The bundle file's JSON (text or bytes), checked against the schema. Never throws. */
export function readProvisioningBundle(input: Uint8Array | string): ProvisioningResult<ProvisioningBundle> {
  const read = bundleReader.read(input);
  return read.ok ? { ok: true, value: read.value } : { ok: false, code: 'INVALID_BUNDLE', message: read.message };
}

/** A bundle value, checked before it is written. */
export function checkProvisioningBundle(value: ProvisioningBundle): ProvisioningBundle {
  const checked = bundleReader.check(value);
  if (!checked.ok) throw new TypeError(checked.message);
  return checked.value;
}
