/**
 * A platform in memory that answers the kiosk's Exchange as the real service
 * does (protocol/ all the way: signed documents, sealed keys, RFC 9421 on
 * both sides), with knobs a real service has not: tamper with an answer,
 * lose it after the commit, sign with a key of another platform. For the
 * checks of provisioning/ that need a lying platform; the honest one is
 * tested against the real service (enroll-service.test.ts).
 */
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { ALG, kidOf, toHex } from '../../coupon/index.js';
import type { MerchantKey } from '../../coupon/types.js';
import { EnrollRequest, type EnrollResponse, type TerminalStateResponse } from '../../protocol/api.js';
import { ENROLLMENT_CONTENT_TYPE, TRUST_BUNDLE_CONTENT_TYPE, bundleKeyOf, encodeEnrollment, encodeTrustBundle } from '../../protocol/documents.js';
import type { Exchange, ExchangeRequest, RawAnswer } from '../../protocol/exchange.js';
import { requestSignatureOf, signRequest, signResponse } from '../../protocol/http-signature.js';
import { payloadReader } from '../../protocol/json-payload.js';
import { MERCHANT_KEYS_CONTENT_TYPE, encodeMerchantKeys } from '../../protocol/merchant-keys.js';
import { sealTo } from '../../protocol/sealed.js';
import { signDocument } from '../../protocol/signed-document.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  notAfter?: number;
}

export function signingKey(notAfter?: number): SigningKey {
  const pair = generateKeyPairSync('ed25519');
  return { kid: toHex(kidOf(pair.publicKey)), ...pair, ...(notAfter !== undefined ? { notAfter } : {}) };
}

export function merchantKey(): MerchantKey {
  const pair = generateKeyPairSync('x25519');
  return { kid: kidOf(pair.publicKey), kind: 'x25519', privateKey: pair.privateKey };
}

interface Terminal {
  terminalId: string;
  signKid: string;
  signPublic: KeyObject;
  wrapPublic: KeyObject;
  enabled: boolean;
}

const SYNC = { claimMode: 'offline' as const, claimTimeoutMs: 1500, offlineMaxCount: 200, offlineMaxAgeS: 86400, offlineMaxQuantity: 10, revocationMaxAgeS: 86400, reversalWindowS: 600 };
const enrollReader = payloadReader(EnrollRequest, 'enroll request');

export class FakePlatform {
  keys: SigningKey[] = [signingKey()];
  seq = 1;
  merchantKeys: MerchantKey[] = [merchantKey()];
  readonly tokens = new Map<string, { used?: string }>();
  readonly terminals: Terminal[] = [];
  /** change the answer's JSON body before it is signed */
  tamperBody?: (body: Record<string, unknown>) => void;
  /** sign answers with these keys instead of the platform's */
  answerSigners?: SigningKey[];
  /** after committing, throw instead of answering (the answer is lost) */
  loseAnswer = false;
  requests = 0;

  constructor(readonly platformId = 'fake-platform', readonly merchantId = 'shop-1') {}

  token(): string {
    const t = randomBytes(24).toString('base64url');
    this.tokens.set(t, {});
    return t;
  }

  get kid(): string {
    return this.keys[0]!.kid;
  }

  trustDocument(signers = this.keys): Uint8Array {
    const payload = encodeTrustBundle({ platformId: this.platformId, seq: this.seq, issuedAt: Date.now(), keys: this.keys.map((k) => bundleKeyOf(k.publicKey, k.notAfter !== undefined ? { notAfter: k.notAfter } : {})) });
    return signDocument(payload, TRUST_BUNDLE_CONTENT_TYPE, signers.map((k) => ({ kid: k.kid, alg: ALG.EdDSA, privateKey: k.privateKey })));
  }

  enrollmentDocument(t: { terminalId: string; terminalKid: string; wrapKid: string; branchId?: string }): Uint8Array {
    const payload = encodeEnrollment({ platformId: this.platformId, merchantId: this.merchantId, branchId: 'north', ...t, sync: SYNC });
    return signDocument(payload, ENROLLMENT_CONTENT_TYPE, this.keys.map((k) => ({ kid: k.kid, alg: ALG.EdDSA, privateKey: k.privateKey })));
  }

  sealedKeys(to: KeyObject, keys = this.merchantKeys): string {
    const publicKey = to.type === 'private' ? createPublicKey(to) : to;
    return Buffer.from(sealTo(encodeMerchantKeys(keys), { kid: toHex(kidOf(publicKey)), publicKey }, MERCHANT_KEYS_CONTENT_TYPE)).toString('base64');
  }

  /** The Exchange a kiosk under test talks through. */
  readonly exchange: Exchange = async (req, opts) => {
    this.requests++;
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    const query = req.query ? new URLSearchParams(Object.entries(req.query)).toString() : '';
    const signed = { ...headers, ...signRequest({ method: req.method, path: req.path, query, headers, body }, opts.signer, { created: Math.floor(Date.now() / 1000) }) };
    const requestSignature = requestSignatureOf(signed)!;
    const [status, answer] = this.route(req, opts.signer.kid);
    if (this.loseAnswer) throw Object.assign(new Error('socket hang up'), { code: 'UNREACHABLE' });
    if (status === 200) this.tamperBody?.(answer);
    return this.answer(status, answer, requestSignature);
  };

  answer(status: number, body: Record<string, unknown>, requestSignature: Uint8Array): RawAnswer {
    const bytes = Buffer.from(JSON.stringify(body));
    const headers = { 'content-type': 'application/json; charset=utf-8' };
    const signers = (this.answerSigners ?? this.keys).map((k) => ({ kid: k.kid, alg: ALG.EdDSA, privateKey: k.privateKey }));
    const sig = signResponse({ status, headers, body: bytes }, requestSignature, signers, { created: Math.floor(Date.now() / 1000) });
    return { status, headers: { ...headers, ...sig }, body: bytes, requestSignature, sentAt: Date.now() };
  }

  private route(req: ExchangeRequest, kid: string): [number, Record<string, unknown>] {
    if (req.path === '/v1/enroll') return this.enroll(req.body);
    const t = this.terminals.find((x) => x.signKid === kid);
    if (!t) return error(401, 'UNKNOWN_TERMINAL');
    if (!t.enabled) return error(403, 'TERMINAL_DISABLED', `terminal ${t.terminalId} was disabled`);
    return [200, this.state(t, req.query ?? {})];
  }

  private enroll(raw: unknown): [number, Record<string, unknown>] {
    const read = enrollReader.check(raw);
    if (!read.ok) return error(400, 'VALIDATION_FAILED', read.message);
    const b = read.value;
    const token = this.tokens.get(b.token);
    if (!token) return error(401, 'TOKEN_UNKNOWN');
    const signPublic = rawKey('ed25519', b.terminalKey);
    const signKid = toHex(kidOf(signPublic));
    if (token.used !== undefined && token.used !== signKid) return error(409, 'TOKEN_USED');
    let t = this.terminals.find((x) => x.signKid === signKid);
    if (!t) {
      t = { terminalId: `t-${randomBytes(8).toString('hex')}`, signKid, signPublic, wrapPublic: rawKey('x25519', b.wrapKey), enabled: true };
      this.terminals.push(t);
    }
    token.used = signKid;
    const answer: EnrollResponse = {
      enrollment: Buffer.from(this.enrollmentDocument({ terminalId: t.terminalId, terminalKid: signKid, wrapKid: toHex(kidOf(t.wrapPublic)) })).toString('base64'),
      trust: Buffer.from(this.trustDocument()).toString('base64'),
      merchantKeys: this.sealedKeys(rawKey('x25519', b.transportKey)),
      time: Date.now(),
    };
    return [200, { ...answer }];
  }

  private state(t: Terminal, query: Readonly<Record<string, string>>): Record<string, unknown> {
    const held = new Set((query['merchantKids'] ?? '').split(',').filter((k) => k !== ''));
    const missing = this.merchantKeys.filter((k) => !held.has(toHex(k.kid)));
    const trustSeq = Number(query['trustSeq'] ?? 0);
    const state: TerminalStateResponse = {
      time: Date.now(), terminalId: t.terminalId, enabled: t.enabled, sync: SYNC as TerminalStateResponse['sync'], trustSeq: this.seq,
      ...(this.seq > trustSeq ? { trust: Buffer.from(this.trustDocument()).toString('base64') } : {}),
      merchantKids: this.merchantKeys.map((k) => toHex(k.kid)),
      ...(missing.length > 0 ? { merchantKeys: this.sealedKeys(t.wrapPublic, missing) } : {}),
    };
    return { ...state };
  }
}

function error(statusCode: number, code: string, message = code): [number, Record<string, unknown>] {
  return [statusCode, { statusCode, code, error: 'Error', message }];
}

function rawKey(crv: 'ed25519' | 'x25519', b64url: string): KeyObject {
  const prefix = crv === 'ed25519' ? '302a300506032b6570032100' : '302a300506032b656e032100';
  return createPublicKey({ key: Buffer.concat([Buffer.from(prefix, 'hex'), Buffer.from(b64url, 'base64url')]), format: 'der', type: 'spki' });
}
