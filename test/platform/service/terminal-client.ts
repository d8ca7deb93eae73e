/**
 * A test kiosk for the platform's terminal protocol: its own keys, requests
 * signed per docs/protocol.md, answers verified against the platform keys it
 * trusts. It speaks through inject() or over a socket (fetch), so one suite
 * runs both ways. (The real kiosk client lives in provisioning/ and sync/.)
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { kidOf, toHex } from '../../../coupon/index.js';
import { rawPublicKey } from '../../../coupon/keys.js';
import type { PlatformKey } from '../../../coupon/types.js';
import { ENROLLMENT_CONTENT_TYPE, TRUST_BUNDLE_CONTENT_TYPE, decodeEnrollment, decodeTrustBundle, type Enrollment, type TrustBundle } from '../../../protocol/documents.js';
import { requestSignatureOf, signRequest, splitTarget, verifyResponse, type ResponseVerdict } from '../../../protocol/http-signature.js';
import { MERCHANT_KEYS_CONTENT_TYPE, decodeMerchantKeys } from '../../../protocol/merchant-keys.js';
import { openSealed } from '../../../protocol/sealed.js';
import { verifyDocument } from '../../../protocol/signed-document.js';
import type { MerchantKey } from '../../../coupon/types.js';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Record<string, string>;
  /** the platform signature check against the trusted keys */
  verdict: ResponseVerdict;
}

/** How requests reach the platform: inject() or a real socket. */
export type Transport = (req: { method: string; url: string; headers: Record<string, string>; body?: Buffer }) => Promise<{ status: number; headers: Record<string, string>; text: string }>;

export function socketTransport(base: string): Transport {
  return async (req) => {
    const r = await fetch(base + req.url, { method: req.method, headers: req.headers, ...(req.body ? { body: req.body } : {}) });
    const headers: Record<string, string> = {};
    r.headers.forEach((v, k) => (headers[k] = v));
    return { status: r.status, headers, text: await r.text() };
  };
}

const b64u = (k: KeyObject): string => Buffer.from(rawPublicKey(k)).toString('base64url');

export class TestTerminal {
  readonly sign: { publicKey: KeyObject; privateKey: KeyObject };
  readonly wrap: { publicKey: KeyObject; privateKey: KeyObject };
  readonly transport = generateKeyPairSync('x25519');
  readonly kid: string;
  /** platform keys this terminal trusts (from the trust bundle, or pinned by a test) */
  trusted = new Map<string, PlatformKey>();
  /** seconds added to the clock when signing (a kiosk whose clock is off) */
  skewS = 0;
  enrollment?: Enrollment;
  bundle?: TrustBundle;
  merchantKeys: MerchantKey[] = [];

  /** `keys`: a terminal provisioned from a bundle, whose keys the platform made */
  constructor(private readonly send: Transport, keys?: { sign: KeyObject; wrap: KeyObject }) {
    const pair = (k: KeyObject) => ({ privateKey: k, publicKey: createPublicKey(k) });
    this.sign = keys ? pair(keys.sign) : generateKeyPairSync('ed25519');
    this.wrap = keys ? pair(keys.wrap) : generateKeyPairSync('x25519');
    this.kid = toHex(kidOf(this.sign.publicKey));
  }

  /** A signed request; `tamper` may change the body after signing. */
  async request(method: string, url: string, body?: unknown, opts: { nonce?: string; created?: number; tamper?: (b: Buffer) => Buffer; unsigned?: boolean } = {}): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = payload ? { 'content-type': 'application/json' } : {};
    const { path, query } = splitTarget(url);
    const created = opts.created ?? Math.floor(Date.now() / 1000) + this.skewS;
    const signed = opts.unsigned ? {} : signRequest({ method, path, query, headers, body: payload }, { kid: this.kid, privateKey: this.sign.privateKey }, { created, ...(opts.nonce ? { nonce: opts.nonce } : {}) });
    const all = { ...headers, ...signed } as Record<string, string>;
    const sent = payload && opts.tamper ? opts.tamper(payload) : payload;
    const r = await this.send({ method, url, headers: all, ...(sent ? { body: sent } : {}) });
    const reqSig = requestSignatureOf(all) ?? new Uint8Array(0);
    const verdict = verifyResponse({ status: r.status, headers: r.headers, body: Buffer.from(r.text) }, reqSig, (kid) => this.trusted.get(kid));
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(r.text) as Record<string, unknown>;
    } catch {
      // a non-JSON answer stays visible in `text`
    }
    return { status: r.status, body: parsed, text: r.text, headers: r.headers, verdict };
  }

  enrollBody(token: string) {
    return { token, terminalKey: b64u(this.sign.publicKey), wrapKey: b64u(this.wrap.publicKey), transportKey: b64u(this.transport.publicKey), device: { name: 'till 1', software: 'kiosk/test' } };
  }

  /** Enrolls trusting `pinned` (as `--expect-platform-kid` pins); on success checks and installs the documents as a kiosk would. */
  async enroll(token: string, pinned: PlatformKey[]): Promise<Answer> {
    for (const k of pinned) this.trusted.set(toHex(k.kid), k);
    const a = await this.request('POST', '/v1/enroll', this.enrollBody(token));
    if (a.status !== 200) return a;
    const trust = this.openBundle(Buffer.from(a.body['trust'] as string, 'base64'));
    for (const k of trust.keys) this.trusted.set(toHex(k.kid), k);
    const doc = verifyDocument(Buffer.from(a.body['enrollment'] as string, 'base64'), ENROLLMENT_CONTENT_TYPE, (kid) => this.trusted.get(kid));
    if (!doc.ok) throw new Error(`enrollment document: ${doc.code} ${doc.message}`);
    const e = decodeEnrollment(doc.payload);
    if (!e.ok) throw new Error(e.message);
    this.enrollment = e.enrollment;
    this.merchantKeys = this.openKeys(a.body['merchantKeys'] as string, this.transport.privateKey);
    return a;
  }

  /** A trust bundle, verified with the keys this terminal trusts so far. */
  openBundle(bytes: Uint8Array): { bundle: TrustBundle; keys: PlatformKey[] } {
    const doc = verifyDocument(bytes, TRUST_BUNDLE_CONTENT_TYPE, (kid) => this.trusted.get(kid));
    if (!doc.ok) throw new Error(`trust bundle: ${doc.code} ${doc.message}`);
    const d = decodeTrustBundle(doc.payload);
    if (!d.ok) throw new Error(d.message);
    this.bundle = d.bundle;
    return { bundle: d.bundle, keys: d.keys };
  }

  openKeys(b64: string, privateKey: KeyObject): MerchantKey[] {
    const opened = openSealed(Buffer.from(b64, 'base64'), MERCHANT_KEYS_CONTENT_TYPE, (kid) => (kid === toHex(kidOf(privateKey)) ? privateKey : undefined));
    if (!opened.ok) throw new Error(`merchant keys: ${opened.code} ${opened.message}`);
    const keys = decodeMerchantKeys(opened.plaintext);
    if (!keys.ok) throw new Error(keys.message);
    return keys.keys;
  }
}
