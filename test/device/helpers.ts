/** Shared test set-up for the kiosk core: real keys, real coupons, a real ledger in a temp dir. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALG, Keyring, generateKeyPair, issueCoupon, kidOf, privateKeyToPem, publicKeyToPem, type KeyPair } from '../../coupon/index.js';
import type { Claims } from '../../coupon/types.js';
import { openLedger } from '../../device/ledger/sqlite-ledger.js';
import type { Ledger } from '../../device/ledger/types.js';
import { silentLogger } from '../../device/logger.js';

export const PLATFORM_ID = 'test-platform';
export const MERCHANT_ID = 'test-merchant';

export interface TestKeys {
  platform: KeyPair;
  merchant: KeyPair;
  suite: 'compact' | 'rsa';
  keyring: Keyring;
}

export function makeKeys(suite: 'compact' | 'rsa' = 'compact'): TestKeys {
  const platform = generateKeyPair(suite === 'rsa' ? 'rsa' : 'ed25519');
  const merchant = generateKeyPair(suite === 'rsa' ? 'rsa' : 'x25519');
  const alg = suite === 'rsa' ? ALG.PS256 : ALG.EdDSA;
  const keyring = new Keyring({
    platforms: [{ platformId: PLATFORM_ID, merchantId: MERCHANT_ID, keys: [{ kid: kidOf(platform.publicKey), alg, publicKey: platform.publicKey }] }],
    merchantKeys: [{ kid: kidOf(merchant.publicKey), kind: suite === 'rsa' ? 'rsa' : 'x25519', privateKey: merchant.privateKey }],
  });
  return { platform, merchant, suite, keyring };
}

/** A fresh valid coupon (distinct serial each call) with claims overridable. */
export function issue(keys: TestKeys, over: Partial<Claims> = {}, nowS = Math.floor(Date.now() / 1000)): string {
  const claims: Claims = {
    iss: PLATFORM_ID,
    sub: 'consumer-1',
    aud: MERCHANT_ID,
    iat: nowS - 60,
    exp: nowS + 86_400,
    cti: randomBytes(12),
    product: 'sku-1',
    quantity: 2,
    title: 'Noodles',
    ...over,
  };
  const alg = keys.suite === 'rsa' ? ALG.PS256 : ALG.EdDSA;
  return issueCoupon(claims, {
    signer: { kid: kidOf(keys.platform.publicKey), alg, privateKey: keys.platform.privateKey },
    recipient: { kid: kidOf(keys.merchant.publicKey), publicKey: keys.merchant.publicKey },
  });
}

export function tempDir(prefix = 'kiosk-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function openTestLedger(dir: string): Ledger {
  return openLedger(path.join(dir, 'ledger.sqlite'), { logger: silentLogger() });
}

/** Write the keys as PEM files a provisioning import or a platform CLI reads. */
export function writeKeyFiles(dir: string, keys: TestKeys): { platformKey: string; platformPub: string; merchantKey: string; merchantPub: string } {
  const files = {
    platformKey: path.join(dir, 'platform.pem'),
    platformPub: path.join(dir, 'platform.pub.pem'),
    merchantKey: path.join(dir, 'merchant.pem'),
    merchantPub: path.join(dir, 'merchant.pub.pem'),
  };
  writeFileSync(files.platformKey, privateKeyToPem(keys.platform.privateKey), { mode: 0o600 });
  writeFileSync(files.platformPub, publicKeyToPem(keys.platform.publicKey));
  writeFileSync(files.merchantKey, privateKeyToPem(keys.merchant.privateKey), { mode: 0o600 });
  writeFileSync(files.merchantPub, publicKeyToPem(keys.merchant.publicKey));
  return files;
}
