/**
 * All the keys of a home in one keyring: the platforms of trust.json with the
 * merchant keys in keys/ (PEM import), and every enrolled platform (its
 * newest trust bundle's keys, the merchant keys it delivered). One platform
 * id may not be in both places, and a signing or merchant key may not appear
 * twice: the home is refused (PLATFORM_CONFLICT) rather than one copy
 * silently winning.
 */
import path from 'node:path';
import { Keyring, KeyError, toHex } from '../coupon/index.js';
import type { MerchantKey, PlatformTrust } from '../coupon/types.js';
import { homePaths, readTrust } from '../device/home.js';
import { HomeError } from '../device/home-error.js';
import type { DisabledPlatform, KeySnapshot } from '../device/keyring-holder.js';
import { loadMerchantKeys } from '../device/merchant-keys.js';
import { toPlatformTrust } from '../device/trust-store.js';
import { credentialsDir, listNames, readMerchantKey } from './store/key-files.js';
import { legacyCredentialKid } from './store/layout.js';
import { loadPlatforms, type EnrolledPlatform, type LoadOptions } from './store/load.js';

export interface HomeKeys {
  snapshot: KeySnapshot;
  enrolled: EnrolledPlatform[];
  /** trust.json's platforms and keys/'s merchant keys */
  legacy: { platforms: PlatformTrust[]; merchantKeys: MerchantKey[] };
}

/** Reads and checks every key of the home. Throws HomeError naming the file and the fix. */
export function loadHomeKeys(home: string, opts: LoadOptions = {}): HomeKeys {
  const credentials = 'credentials' in opts ? opts.credentials : credentialsDir();
  const paths = homePaths(home);
  const fromCredentials = legacyCredentials(credentials);
  const fromHome = loadMerchantKeys(paths.keys).filter((k) => !fromCredentials.some((c) => toHex(c.kid) === toHex(k.kid)));
  const legacy = { platforms: toPlatformTrust(readTrust(paths.trust)), merchantKeys: [...fromCredentials, ...fromHome] };
  const enrolled = loadPlatforms(home, { credentials });
  const snapshot = combine(legacy, enrolled, paths.trust);
  return { snapshot, enrolled, legacy };
}

/** What the keyring takes of an enrolled platform (one being admitted has no folder yet). */
export type PlatformKeys = Pick<EnrolledPlatform, 'platformId' | 'dir' | 'record' | 'merchantKeys'> & { trust: Pick<EnrolledPlatform['trust'], 'keys'> };

/** The keyring of legacy and enrolled platforms; HomeError PLATFORM_CONFLICT when they overlap. */
export function combine(legacy: HomeKeys['legacy'], enrolled: readonly PlatformKeys[], trustFile = 'trust.json'): KeySnapshot {
  const both = enrolled.filter((p) => legacy.platforms.some((l) => l.platformId === p.platformId));
  if (both.length > 0) {
    const id = both[0]!.platformId;
    throw new HomeError('PLATFORM_CONFLICT', `platform '${id}' is both in ${trustFile} (PEM import) and enrolled (${both[0]!.dir}); keep one: remove it from ${trustFile}, or kiosk provision remove --platform ${id}`);
  }
  const platforms = [...legacy.platforms, ...enrolled.map((p) => ({ platformId: p.platformId, merchantId: p.record.merchantId, keys: p.trust.keys }))];
  const merchantKeys = [...legacy.merchantKeys, ...enrolled.flatMap((p) => p.merchantKeys)];
  let keyring: Keyring;
  try {
    keyring = new Keyring({ platforms, merchantKeys });
  } catch (err) {
    if (err instanceof KeyError) throw new HomeError('PLATFORM_CONFLICT', `the home's keys do not fit together: ${err.message}`, { cause: err });
    throw err;
  }
  const disabled: DisabledPlatform[] = enrolled
    .filter((p) => p.record.disabled !== null)
    .map((p) => ({ platformId: p.platformId, terminalId: p.record.terminalId, at: p.record.disabled!.at, message: p.record.disabled!.message }));
  return { keyring, disabled };
}

function legacyCredentials(credentials: string | undefined): MerchantKey[] {
  if (credentials === undefined) return [];
  const out: MerchantKey[] = [];
  for (const name of listNames(credentials)) {
    const kid = legacyCredentialKid(name);
    if (kid !== undefined) out.push(readMerchantKey({ file: path.join(credentials, name), origin: 'credentials' }, kid));
  }
  return out;
}
