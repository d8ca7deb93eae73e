/** A kiosk home's enrolled-platform folder, as enrollment writes it (the key store's own install), for tests. */
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { generateKeyPair, kidOf, toHex } from '../../coupon/index.js';
import { privateKeyToPem } from '../../coupon/keys.js';
import { installPlatform, newStaging } from '../../provisioning/store/write.js';
import { FakePlatform } from '../provisioning/fake-platform.js';

export interface IdentityOverrides {
  terminalId?: string;
  merchantId?: string;
  branchId?: string;
}

/** What enrollment leaves in the home, with the right modes, signed by a platform of the test's own. */
export function writeIdentity(home: string, platformId: string, over: IdentityOverrides = {}): { kid: string; pem: string; publicKey: KeyObject } {
  const platform = new FakePlatform(platformId, over.merchantId ?? 'm-1');
  const terminal = generateKeyPair('ed25519');
  const wrap = generateKeyPair('x25519');
  const ids = { terminalId: over.terminalId ?? `term-${platformId}`, terminalKid: toHex(kidOf(terminal.publicKey)), wrapKid: toHex(kidOf(wrap.publicKey)) };
  const branchId = over.branchId ?? 'b-1';
  const trust = platform.trustDocument();
  installPlatform(home, newStaging(home), {
    record: {
      format: 1, platformId, terminalId: ids.terminalId, merchantId: platform.merchantId, branchId, url: null, tls: { mode: 'system' },
      terminalKid: ids.terminalKid, wrapKid: ids.wrapKid, sync: {}, enrolledAt: Date.now(), enrolledBy: 'bundle', trustAnchor: { mode: 'pinned', kid: platform.kid },
      document: Buffer.from(platform.enrollmentDocument({ ...ids, branchId })).toString('base64'), disabled: null, lastRefresh: null,
    },
    trust: { format: 1, seq: platform.seq, issuedAt: Date.now(), receivedAt: Date.now(), document: Buffer.from(trust).toString('base64') },
    terminalKey: terminal.privateKey, wrapKey: wrap.privateKey, merchantKeys: platform.merchantKeys,
  });
  return { kid: ids.terminalKid, pem: privateKeyToPem(terminal.privateKey), publicKey: createPublicKey(terminal.privateKey) };
}
