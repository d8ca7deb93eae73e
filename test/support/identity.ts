/** A kiosk home's enrolled-platform folder, as enrollment writes it, for tests. */
import type { KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, kidOf, privateKeyToPem, toHex } from '../../coupon/index.js';
import { platformDir } from '../../provisioning/terminal-identity.js';

/** What enrollment leaves in the home, with the right modes. */
export function writeIdentity(home: string, platformId: string, over: Record<string, unknown> = {}): { kid: string; pem: string; publicKey: KeyObject } {
  const dir = platformDir(home, platformId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const key = generateKeyPair('ed25519');
  const enrollment = { platformId, terminalId: `term-${platformId}`, merchantId: 'm-1', branchId: 'b-1', extra: { later: true }, ...over };
  writeFileSync(path.join(dir, 'enrollment.json'), JSON.stringify(enrollment), { mode: 0o644 });
  const pem = privateKeyToPem(key.privateKey);
  writeFileSync(path.join(dir, 'terminal.pem'), pem, { mode: 0o600 });
  return { kid: toHex(kidOf(key.publicKey)), pem, publicKey: key.publicKey };
}

