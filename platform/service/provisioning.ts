/**
 * The offline provisioning bundle (protocol/provisioning-bundle.ts): the
 * platform makes the terminal's keys, registers the terminal, and seals its
 * keys and the merchant keys under a passphrase. The passphrase is checked
 * before anything is registered.
 */
import { generateKeyPairSync } from 'node:crypto';
import { kidOf, merchantKeyFrom, toHex } from '../../coupon/index.js';
import { rawPublicKey } from '../../coupon/keys.js';
import { checkPassphrase, sealWithPassphrase } from '../../protocol/passphrase.js';
import {
  PROVISIONING_BUNDLE_FORMAT,
  PROVISIONING_BUNDLE_VERSION,
  PROVISIONING_KEYS_CONTENT_TYPE,
  checkProvisioningBundle,
  encodeProvisioningKeys,
  type ProvisioningBundle,
} from '../../protocol/provisioning-bundle.js';
import { HttpError } from './errors.js';
import { privateKeyOf } from './keys.js';
import { signEnrollment } from './trust.js';
import type { ServiceDeps } from './types.js';

export interface BundleRequest {
  merchantId: string;
  branchId: string;
  name: string;
  passphrase: string;
}

export async function makeProvisioningBundle(deps: ServiceDeps, req: BundleRequest): Promise<ProvisioningBundle> {
  const policy = checkPassphrase(req.passphrase);
  if (!policy.ok) throw new HttpError('WEAK_PASSPHRASE', `body/passphrase: ${policy.message}`);
  const { store } = deps;
  const sign = generateKeyPairSync('ed25519');
  const wrap = generateKeyPairSync('x25519');
  const terminal = await store.registerTerminal({
    merchantId: req.merchantId, branchId: req.branchId, name: req.name, software: 'provisioning-bundle',
    signKid: toHex(kidOf(sign.publicKey)), signPublic: rawPublicKey(sign.publicKey), wrapKid: toHex(kidOf(wrap.publicKey)), wrapPublic: rawPublicKey(wrap.publicKey),
  });
  const nowMs = deps.now();
  const [platformId, merchant, signers, trust, live] = await Promise.all([
    store.platformId(), store.merchant(req.merchantId), store.validSigningKeys(), store.latestTrustBundle(), store.liveMerchantKeys(req.merchantId),
  ]);
  const enrollment = signEnrollment({
    platformId, merchantId: terminal.merchantId, branchId: terminal.branchId, terminalId: terminal.terminalId,
    terminalKid: terminal.signKid, wrapKid: terminal.wrapKid, sync: { claimMode: merchant.claimMode, ...merchant.settings },
  }, signers, nowMs);
  const payload = encodeProvisioningKeys({ terminalKey: sign.privateKey, wrapKey: wrap.privateKey, merchantKeys: live.map((k) => merchantKeyFrom(privateKeyOf(k))) });
  const keys = await sealWithPassphrase(payload, req.passphrase, PROVISIONING_KEYS_CONTENT_TYPE);
  return checkProvisioningBundle({
    format: PROVISIONING_BUNDLE_FORMAT, version: PROVISIONING_BUNDLE_VERSION, platformId, merchantId: terminal.merchantId, branchId: terminal.branchId,
    terminalId: terminal.terminalId, createdAt: nowMs, enrollment: Buffer.from(enrollment).toString('base64'), trust: Buffer.from(trust.document).toString('base64'), keys,
  });
}
