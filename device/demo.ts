/**
 * `npm start` on a laptop: a demo home with a demo platform (Ed25519) and a
 * demo merchant (X25519), generated on first run. The demo platform's private
 * key stays in the demo home (demo-platform/) so that demo coupons can be
 * issued; a real kiosk never holds a platform private key.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ALG, generateKeyPair, issueCoupon, kidOf, privateKeyFromPem, privateKeyToPem, publicKeyFromPem, publicKeyToPem } from '../coupon/index.js';
import { randomBytes } from 'node:crypto';
import { ensureDir, writeFileAtomic } from './atomic-write.js';
import { importKeys } from '../provisioning/import.js';
import { homePaths } from './home.js';

export const DEMO_PLATFORM_ID = 'demo-platform';
export const DEMO_MERCHANT_ID = 'demo-merchant';

export interface DemoFiles {
  platformKey: string;
  merchantPub: string;
}

export function demoFiles(home: string): DemoFiles {
  const dir = homePaths(home).demoPlatform;
  return { platformKey: path.join(dir, 'platform-ed25519.pem'), merchantPub: path.join(dir, 'merchant-x25519.pub.pem') };
}

/** Create the demo keys unless the home already has merchant keys; returns whether it did. */
export function ensureDemoHome(home: string): boolean {
  const paths = homePaths(home);
  if (hasKeys(paths.keys)) return false;
  const platform = generateKeyPair('ed25519');
  const merchant = generateKeyPair('x25519');
  const files = demoFiles(home);
  ensureDir(paths.home, 0o700);
  ensureDir(paths.demoPlatform, 0o700);
  writeFileAtomic(files.platformKey, privateKeyToPem(platform.privateKey), 0o600);
  writeFileAtomic(files.merchantPub, publicKeyToPem(merchant.publicKey), 0o644);
  if (!existsSync(paths.config)) writeFileAtomic(paths.config, JSON.stringify({ terminalId: 'demo-kiosk', language: 'en' }, null, 2) + '\n');
  importKeys({
    home,
    platformId: DEMO_PLATFORM_ID,
    platformKeyPem: publicKeyToPem(platform.publicKey),
    merchantId: DEMO_MERCHANT_ID,
    merchantKeyPem: privateKeyToPem(merchant.privateKey),
  });
  return true;
}

function hasKeys(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('.pem'));
}

/** One fresh demo coupon (valid 30 days), issued with the demo platform's key. */
export function issueDemoCoupon(home: string, nowS = Math.floor(Date.now() / 1000)): string {
  const files = demoFiles(home);
  const signing = privateKeyFromPem(readFileSync(files.platformKey, 'utf8'));
  const merchantPub = publicKeyFromPem(readFileSync(files.merchantPub, 'utf8'));
  const claims = {
    iss: DEMO_PLATFORM_ID,
    sub: 'demo-consumer',
    aud: DEMO_MERCHANT_ID,
    iat: nowS,
    exp: nowS + 30 * 86_400,
    cti: randomBytes(12),
    product: 'demo-noodles',
    quantity: 2,
    title: 'Noodle set for two',
  };
  return issueCoupon(claims, {
    signer: { kid: kidOf(signing), alg: ALG.EdDSA, privateKey: signing },
    recipient: { kid: kidOf(merchantPub), publicKey: merchantPub },
  });
}

/** What to tell the person at the laptop. */
export function demoInstructions(home: string, coupon: string): string {
  const f = demoFiles(home);
  return [
    `Demo kiosk, home ${path.resolve(home)}. Paste a coupon line and press Enter; Ctrl-C stops.`,
    'Issue more demo coupons in another terminal with:',
    `  node dist/platform/cli.js issue --platform-key ${f.platformKey} --platform-id ${DEMO_PLATFORM_ID} \\`,
    `    --merchant-key ${f.merchantPub} --aud ${DEMO_MERCHANT_ID} --sub demo-consumer --product demo-noodles --quantity 2 --title "Noodle set"`,
    'A fresh demo coupon to paste right now:',
    coupon,
    '',
  ].join('\n');
}
