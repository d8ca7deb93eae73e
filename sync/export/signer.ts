/**
 * The exporter's signers: one per enrolled platform, from the terminal
 * identity enrollment left in the home (provisioning/terminal-identity.ts).
 * Ed25519 signatures are deterministic, so signing the same payload twice
 * gives the same manifest bytes.
 */
import { ALG } from '../../coupon/types.js';
import { BATCH_MANIFEST_CONTENT_TYPE } from '../../protocol/batch.js';
import { signDocument } from '../../protocol/signed-document.js';
import { lookupTerminalIdentity, type TerminalIdentity } from '../../provisioning/terminal-identity.js';
import type { BatchSigner, SignerLookup } from './types.js';

export function terminalSigner(identity: TerminalIdentity): BatchSigner {
  const signer = { kid: identity.kid, alg: ALG.EdDSA, privateKey: identity.privateKey };
  return {
    platformId: identity.platformId,
    terminalId: identity.terminalId,
    sign: (payload) => signDocument(payload, BATCH_MANIFEST_CONTENT_TYPE, [signer]),
  };
}

/** Looks the identity up at each export: an enrollment made while the kiosk runs is used at the next stick. */
export function homeSigners(home: string): SignerLookup {
  return (platformId) => {
    const found = lookupTerminalIdentity(home, platformId);
    if (found.ok) return { ok: true, signer: terminalSigner(found.identity) };
    return { ok: false, code: 'NO_TERMINAL_IDENTITY', message: found.code === 'NO_TERMINAL_IDENTITY' ? found.message : `${found.code}: ${found.message}` };
  };
}
