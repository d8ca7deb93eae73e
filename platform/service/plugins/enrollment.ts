/**
 * `POST /v1/enroll` (docs/protocol.md): a kiosk trades a one-time token and
 * the public halves of its new keys for its enrollment. The request is
 * signed by the new terminal key (proof of possession); the token is
 * consumed and the terminal registered in one transaction, so of two devices
 * racing one token exactly one wins. The answer is signed by the platform's
 * keys and carries the merchant keys sealed to the one-time transport key.
 */
import { kidOf, toHex } from '../../../coupon/index.js';
import { EnrollRequest, EnrollResponse } from '../../../protocol/api.js';
import { verifyRequest } from '../../../protocol/http-signature.js';
import { sealMerchantKeys } from '../delivery.js';
import { HttpError } from '../errors.js';
import { publicKeyFromRaw } from '../keys.js';
import { ERROR_RESPONSES, TERMINAL_SECURITY } from '../schemas.js';
import { tokenHash } from '../tokens.js';
import { signEnrollment } from '../trust.js';
import type { App, ServiceDeps } from '../types.js';
import { requestParts, signAnswers } from './terminal-auth.js';

const raw = (b64url: string): Uint8Array => Uint8Array.from(Buffer.from(b64url, 'base64url'));

function rawKey(crv: 'Ed25519' | 'X25519', b64url: string, field: string) {
  try {
    return publicKeyFromRaw(crv, raw(b64url));
  } catch (err) {
    throw new HttpError('VALIDATION_FAILED', `body/${field} is not an ${crv} public key`, { cause: err });
  }
}

export async function enrollmentPlugin(app: App, deps: ServiceDeps): Promise<void> {
  signAnswers(app, deps);
  app.post('/v1/enroll', {
    schema: {
      summary: 'Enroll a terminal with a one-time token',
      description: 'Signed (RFC 9421) by the new terminal key: keyid = kid of terminalKey. 401 TOKEN_UNKNOWN, 409 TOKEN_USED, 410 TOKEN_EXPIRED, 409 TERMINAL_KEY_EXISTS.',
      tags: ['enrollment'],
      security: TERMINAL_SECURITY,
      body: EnrollRequest,
      response: { 200: EnrollResponse, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const b = req.body;
    const terminalKey = rawKey('Ed25519', b.terminalKey, 'terminalKey');
    const wrapKey = rawKey('X25519', b.wrapKey, 'wrapKey');
    const transportKey = rawKey('X25519', b.transportKey, 'transportKey');
    const signKid = toHex(kidOf(terminalKey));
    const nowMs = deps.now();
    const verdict = verifyRequest(requestParts(req), (k) => (k === signKid ? { publicKey: terminalKey } : undefined), { nowS: Math.floor(nowMs / 1000), maxSkewS: deps.config.signatureWindowS });
    if (verdict.signatureValue) req.requestSignature = verdict.signatureValue;
    if (!verdict.ok) {
      if (verdict.code === 'UNKNOWN_TERMINAL') throw new HttpError('SIGNATURE_INVALID', `an enrollment is signed by its own terminal key: keyid must be ${signKid}, the kid of terminalKey`);
      throw new HttpError(verdict.code, verdict.message);
    }
    const terminal = await deps.store.enrollWithToken(tokenHash(b.token), {
      signKid, signPublic: raw(b.terminalKey), wrapKid: toHex(kidOf(wrapKey)), wrapPublic: raw(b.wrapKey), name: b.device.name, software: b.device.software,
    });
    const [platformId, merchant, keys, bundle, merchantKeys] = await Promise.all([
      deps.store.platformId(), deps.store.merchant(terminal.merchantId), deps.store.validSigningKeys(), deps.store.latestTrustBundle(), deps.store.liveMerchantKeys(terminal.merchantId),
    ]);
    const enrollment = signEnrollment({
      platformId, merchantId: terminal.merchantId, branchId: terminal.branchId, terminalId: terminal.terminalId,
      terminalKid: terminal.signKid, wrapKid: terminal.wrapKid, sync: { claimMode: merchant.claimMode, ...merchant.settings },
    }, keys, nowMs);
    req.log.info({ terminalId: terminal.terminalId, merchantId: terminal.merchantId, branchId: terminal.branchId, signKid }, 'terminal enrolled');
    return {
      enrollment: Buffer.from(enrollment).toString('base64'),
      trust: Buffer.from(bundle.document).toString('base64'),
      merchantKeys: Buffer.from(sealMerchantKeys(merchantKeys, transportKey)).toString('base64'),
      time: nowMs,
    };
  });
}
