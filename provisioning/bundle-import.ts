/**
 * `kiosk provision import --bundle FILE`: the offline path. The platform
 * made the terminal's keys and sealed them with the merchant keys under a
 * passphrase (protocol/provisioning-bundle.ts); the kiosk opens them, checks
 * the two signed documents as after an online enrollment (pinned by
 * --expect-platform-kid, or trusted on first use), checks every key against
 * the kids the enrollment names, and installs it all at once (admit.ts).
 */
import type { Logger } from '../device/logger.js';
import type { PlatformEndpoint } from '../protocol/exchange.js';
import { openWithPassphrase } from '../protocol/passphrase.js';
import { PROVISIONING_KEYS_CONTENT_TYPE, decodeProvisioningKeys, readProvisioningBundle, type ProvisioningBundle } from '../protocol/provisioning-bundle.js';
import { admitPlatform } from './admit.js';
import { crashPoint } from './crash-point.js';
import { ProvisionError } from './errors.js';
import { describeOutcome, type EnrollOutcome } from './outcome.js';
import { checkEnrollmentDocument, checkTrustBundle } from './platform-documents.js';
import { hexKid } from './store/key-files.js';
import { withStoreLock } from './store/lock.js';
import { cleanLeftovers, newStaging } from './store/write.js';

export interface BundleImportInput {
  home: string;
  /** the bundle file's content */
  bundle: string | Uint8Array;
  /** where the bundle was read from, for messages */
  source: string;
  passphrase: string;
  expectPlatformKid?: string | undefined;
  /** the platform's service, for later refreshes and sync (a bundle carries none) */
  endpoint?: PlatformEndpoint | undefined;
}

export async function importBundle(input: BundleImportInput, deps: { logger: Logger; now?: () => number }): Promise<EnrollOutcome> {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ module: 'bundle-import' });
  const read = readProvisioningBundle(input.bundle);
  if (!read.ok) throw new ProvisionError('BUNDLE_INVALID', `${input.source}: ${read.message}`);
  const bundle = read.value;
  const keys = await openKeys(bundle, input);
  const nowMs = now();
  const { trust, anchor } = checkTrustBundle(Buffer.from(bundle.trust, 'base64'), { expectKid: input.expectPlatformKid, nowMs, source: input.source });
  const terminalKid = hexKid(keys.terminalKey);
  const wrapKid = hexKid(keys.wrapKey);
  const enrollment = checkEnrollmentDocument(Buffer.from(bundle.enrollment, 'base64'), trust, { terminalKid, wrapKid, nowMs, source: input.source });
  const differs = (['platformId', 'merchantId', 'branchId', 'terminalId'] as const).filter((k) => bundle[k] !== enrollment[k]);
  if (differs.length > 0) throw new ProvisionError('BUNDLE_INVALID', `${input.source}: ${differs.join(', ')} of the file differ from its signed enrollment document. Nothing was written`);
  crashPoint('import:verified');
  return withStoreLock(input.home, 'kiosk provision import --bundle', () => {
    cleanLeftovers(input.home, now());
    const staging = newStaging(input.home);
    const dir = admitPlatform(input.home, staging, {
      record: {
        format: 1, platformId: enrollment.platformId, terminalId: enrollment.terminalId, merchantId: enrollment.merchantId, branchId: enrollment.branchId,
        url: input.endpoint?.url ?? null, tls: input.endpoint?.tls ?? { mode: 'system' }, terminalKid, wrapKid, sync: enrollment.sync,
        enrolledAt: now(), enrolledBy: 'bundle', trustAnchor: anchor, document: bundle.enrollment, disabled: null, lastRefresh: null,
      },
      trust: { format: 1, seq: trust.bundle.seq, issuedAt: trust.bundle.issuedAt, receivedAt: now(), document: bundle.trust },
      terminalKey: keys.terminalKey, wrapKey: keys.wrapKey, merchantKeys: keys.merchantKeys, trustKeys: trust.keys,
    });
    log.info({ platformId: enrollment.platformId, terminalId: enrollment.terminalId, trustSeq: trust.bundle.seq, anchor }, 'provisioning bundle imported');
    return describeOutcome(dir, { anchor, trust, enrollment, enrollmentDocument: Buffer.from(bundle.enrollment, 'base64'), merchantKeys: keys.merchantKeys }, { anchor, reusedKeys: false, clockSkewMs: 0 });
  });
}

async function openKeys(bundle: ProvisioningBundle, input: BundleImportInput) {
  const opened = await openWithPassphrase(bundle.keys, input.passphrase, PROVISIONING_KEYS_CONTENT_TYPE);
  if (!opened.ok) {
    if (opened.code === 'WRONG_PASSPHRASE') throw new ProvisionError('WRONG_PASSPHRASE', `${input.source}: the passphrase does not open this bundle (nothing was written)`);
    throw new ProvisionError('BUNDLE_INVALID', `${input.source}: the sealed keys: ${opened.code}: ${opened.message}. Nothing was written`);
  }
  const keys = decodeProvisioningKeys(opened.plaintext);
  if (!keys.ok) throw new ProvisionError('BUNDLE_INVALID', `${input.source}: the sealed keys: ${keys.code}: ${keys.message}. Nothing was written`);
  return keys.value;
}
