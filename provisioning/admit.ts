/**
 * The last step of an enrollment or a bundle import, under the store lock:
 * the new platform is checked against the home (not in trust.json, not
 * enrolled yet, its keys clash with no other platform's), then installed all
 * at once (store/write.ts). Nothing is written when a check fails.
 */
import { createPublicKey } from 'node:crypto';
import type { MerchantKey, PlatformKey } from '../coupon/types.js';
import { HomeError } from '../device/home-error.js';
import { ProvisionError } from './errors.js';
import { combine, loadHomeKeys } from './home-keys.js';
import { hexKid, type LoadedMerchantKey } from './store/key-files.js';
import { isEnrolled } from './store/load.js';
import type { EnrollmentRecord } from './store/record.js';
import { installPlatform, type PlatformMaterial } from './store/write.js';
import { platformDir } from './store/layout.js';

export function admitPlatform(home: string, staging: string, material: PlatformMaterial & { trustKeys: PlatformKey[] }): string {
  const { record } = material;
  if (isEnrolled(home, record.platformId)) {
    throw new ProvisionError('ALREADY_ENROLLED', `platform '${record.platformId}' is enrolled in this home already; to enroll again: kiosk provision remove --platform ${record.platformId}, then a new token. The platform registered terminal ${record.terminalId} for this attempt: disable it there (coupon-platform terminal disable --id ${record.terminalId})`);
  }
  let current;
  try {
    current = loadHomeKeys(home);
  } catch (err) {
    if (err instanceof HomeError) throw new ProvisionError('PLATFORM_CONFLICT', `the home's keys do not load, fix that first: ${err.message}`, { cause: err });
    throw err;
  }
  if (current.legacy.platforms.some((p) => p.platformId === record.platformId)) {
    throw new ProvisionError('PLATFORM_CONFLICT', `platform '${record.platformId}' is in trust.json (PEM import) already; one platform may not be in both places: remove it from trust.json first`);
  }
  try {
    combine(current.legacy, [...current.enrolled, newcomer(home, record, material)]);
  } catch (err) {
    if (err instanceof HomeError) throw new ProvisionError('PLATFORM_CONFLICT', err.message, { cause: err });
    throw err;
  }
  return installPlatform(home, staging, material);
}

function newcomer(home: string, record: EnrollmentRecord, m: PlatformMaterial & { trustKeys: PlatformKey[] }) {
  const merchantKeys: LoadedMerchantKey[] = m.merchantKeys.map((k: MerchantKey) => ({ ...k, kidHex: hexKid(createPublicKey(k.privateKey)), file: '(new)', origin: 'home' }));
  return { platformId: record.platformId, dir: platformDir(home, record.platformId), record, merchantKeys, trust: { keys: m.trustKeys } };
}
