/**
 * Coupon format: size and decode speed (issue 2). For each suite, our coupon
 * (COSE nested CWT) against the same claims as a nested JWT made with `jose`,
 * measured in the same run: size, QR version, terminal decode throughput and
 * latency. Decode is single-threaded, with a warm-up, and at least
 * MEASURE_MS of work per figure.
 */
import type { KeyObject } from 'node:crypto';
import * as jose from 'jose';
import { Keyring, generateKeyPair, issueCoupon, kidOf, privateKeyToPem, publicKeyToPem, verifyCoupon } from '../coupon/index.js';
import { ALG, type Claims, type SignAlg } from '../coupon/types.js';
import { qrVersion } from '../platform/qr.js';

export const title = 'Coupon format: size and decode speed';

const WARMUP_MS = 500;
const MEASURE_MS = 2000;

const IAT = 1767225600; // 2026-01-01T00:00:00Z
const NOW = IAT + 3600;
/** The format's example sizes: ids of ~10 characters, a 12-byte serial, a 20-byte title. */
const CLAIMS: Claims = {
  iss: 'meituan-01',
  sub: 'u-83920117',
  aud: 'shop-00042',
  exp: IAT + 30 * 24 * 3600,
  nbf: IAT,
  iat: IAT,
  cti: Uint8Array.from(Buffer.from('5f1c9a0e7b3d42a886e1c0d4', 'hex')),
  product: 'sku-778812',
  quantity: 2,
  title: 'Family Combo Meal x2',
};

interface Suite {
  name: string;
  signKind: 'ed25519' | 'rsa';
  encKind: 'x25519' | 'rsa';
  signAlg: SignAlg;
  jws: string;
  jwe: string;
  /** targets from issue 2 */
  maxChars?: number;
  minDecodePerSec: number;
  maxCharRatio: number;
}

const SUITES: Suite[] = [
  { name: 'compact (Ed25519 + X25519)', signKind: 'ed25519', encKind: 'x25519', signAlg: ALG.EdDSA, jws: 'EdDSA', jwe: 'ECDH-ES', maxChars: 420, minDecodePerSec: 4000, maxCharRatio: 0.6 },
  { name: 'RSA-2048 (PS256 + RSA-OAEP-256)', signKind: 'rsa', encKind: 'rsa', signAlg: ALG.PS256, jws: 'PS256', jwe: 'RSA-OAEP-256', minDecodePerSec: 2000, maxCharRatio: 0.75 },
];

interface Timing {
  perSec: number;
  p50us: number;
  p99us: number;
  calls: number;
}

interface Figures {
  bytes: number;
  chars: number;
  qrL: number;
  qrM: number;
  timing: Timing;
}

async function measure(fn: () => unknown): Promise<Timing> {
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) await fn();
  const lat: number[] = [];
  const start = process.hrtime.bigint();
  const end = start + BigInt(MEASURE_MS) * 1_000_000n;
  let t = start;
  while (t < end) {
    await fn();
    const t2 = process.hrtime.bigint();
    lat.push(Number(t2 - t));
    t = t2;
  }
  lat.sort((a, b) => a - b);
  const pct = (p: number): number => (lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0) / 1000;
  return { perSec: lat.length / (Number(t - start) / 1e9), p50us: pct(0.5), p99us: pct(0.99), calls: lat.length };
}

function sizes(text: string, bytes: number): Omit<Figures, 'timing'> {
  return { bytes, chars: text.length, qrL: qrVersion(text, 'L'), qrM: qrVersion(text, 'M') };
}

async function ours(suite: Suite, sign: KeyPairLike, enc: KeyPairLike): Promise<Figures> {
  const text = issueCoupon(CLAIMS, {
    signer: { kid: kidOf(sign.publicKey), alg: suite.signAlg, privateKey: sign.privateKey },
    recipient: { kid: kidOf(enc.publicKey), publicKey: enc.publicKey },
  });
  const keyring = new Keyring({
    platforms: [{ platformId: CLAIMS.iss, merchantId: CLAIMS.aud, keys: [{ kid: kidOf(sign.publicKey), alg: suite.signAlg, publicKey: sign.publicKey }] }],
    merchantKeys: [{ kid: kidOf(enc.publicKey), kind: suite.encKind, privateKey: enc.privateKey }],
  });
  const check = verifyCoupon(text, keyring, NOW);
  if (!check.ok) throw new Error(`bench: our ${suite.name} coupon does not verify: ${check.reason} ${check.message}`);
  const timing = await measure(() => {
    if (!verifyCoupon(text, keyring, NOW).ok) throw new Error('bench: verify failed');
  });
  return { ...sizes(text, Buffer.from(text, 'base64').length), timing };
}

interface KeyPairLike {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** The same claims as a JWT: registered names, jti as base64url, kids as base64url of our 8-byte kids. */
function jwtPayload(): jose.JWTPayload {
  return {
    iss: CLAIMS.iss,
    sub: CLAIMS.sub,
    aud: CLAIMS.aud,
    exp: CLAIMS.exp,
    nbf: CLAIMS.nbf,
    iat: CLAIMS.iat,
    jti: Buffer.from(CLAIMS.cti).toString('base64url'),
    product: CLAIMS.product,
    quantity: CLAIMS.quantity,
    title: CLAIMS.title,
  };
}

async function joseKeys(suite: Suite, sign: KeyPairLike, enc: KeyPairLike) {
  const pem = (k: KeyObject): string => (k.type === 'private' ? privateKeyToPem(k) : publicKeyToPem(k));
  return {
    signPriv: await jose.importPKCS8(pem(sign.privateKey), suite.jws),
    signPub: await jose.importSPKI(pem(sign.publicKey), suite.jws),
    encPub: await jose.importSPKI(pem(enc.publicKey), suite.jwe),
    encPriv: await jose.importPKCS8(pem(enc.privateKey), suite.jwe),
    signKid: Buffer.from(kidOf(sign.publicKey)).toString('base64url'),
    encKid: Buffer.from(kidOf(enc.publicKey)).toString('base64url'),
  };
}

/** What a terminal would do with a nested JWT: decrypt, verify, check the claims. */
async function joseDecode(token: string, k: Awaited<ReturnType<typeof joseKeys>>): Promise<void> {
  const { plaintext, protectedHeader } = await jose.compactDecrypt(token, k.encPriv);
  if (protectedHeader.kid !== k.encKid) throw new Error('bench: jose kid');
  const inner = new TextDecoder().decode(plaintext);
  const { payload } = await jose.jwtVerify(inner, k.signPub, { issuer: CLAIMS.iss, audience: CLAIMS.aud, currentDate: new Date(NOW * 1000), requiredClaims: ['iat', 'jti', 'sub'] });
  if (typeof payload['product'] !== 'string' || !Number.isSafeInteger(payload['quantity'])) throw new Error('bench: jose claims');
}

async function viaJose(suite: Suite, sign: KeyPairLike, enc: KeyPairLike): Promise<Figures> {
  const k = await joseKeys(suite, sign, enc);
  const jws = await new jose.SignJWT(jwtPayload()).setProtectedHeader({ alg: suite.jws, kid: k.signKid }).sign(k.signPriv);
  const token = await new jose.CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: suite.jwe, enc: 'A256GCM', cty: 'JWT', kid: k.encKid })
    .encrypt(k.encPub);
  await joseDecode(token, k);
  const timing = await measure(() => joseDecode(token, k));
  return { ...sizes(token, token.length), timing };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean): string => (ok ? 'met' : '**not met**');

function row(suite: string, format: string, f: Figures): string {
  const t = f.timing;
  return `| ${suite} | ${format} | ${f.bytes} | ${f.chars} | ${f.qrL} | ${f.qrM} | ${fmt(t.perSec)} | ${fmt(t.p50us, 1)} | ${fmt(t.p99us, 1)} |`;
}

function targets(suite: Suite, o: Figures, j: Figures): string[] {
  const charRatio = o.chars / j.chars;
  const lines = [
    `| ${suite.name} | chars ours/jose ≤ ${suite.maxCharRatio} | ${charRatio.toFixed(2)} | ${verdict(charRatio <= suite.maxCharRatio)} |`,
    `| ${suite.name} | decode ≥ ${fmt(suite.minDecodePerSec)}/s | ${fmt(o.timing.perSec)}/s | ${verdict(o.timing.perSec >= suite.minDecodePerSec)} |`,
  ];
  if (suite.maxChars !== undefined) lines.unshift(`| ${suite.name} | Base64 ≤ ${suite.maxChars} chars | ${o.chars} | ${verdict(o.chars <= suite.maxChars)} |`);
  return lines;
}

export async function run(): Promise<string> {
  const figures: Array<{ suite: Suite; o: Figures; j: Figures }> = [];
  for (const suite of SUITES) {
    const sign = generateKeyPair(suite.signKind);
    const enc = generateKeyPair(suite.encKind);
    process.stderr.write(`bench: coupon ${suite.name}...\n`);
    figures.push({ suite, o: await ours(suite, sign, enc), j: await viaJose(suite, sign, enc) });
  }
  const out = [
    'Claims of the format\'s example sizes (iss "meituan-01", sub "u-83920117", aud "shop-00042", product "sku-778812",',
    '12-byte serial, 20-byte title, quantity 2, exp/nbf/iat). jose: nested JWT (JWS inside a compact JWE, A256GCM,',
    `kids in both headers), decoded with compactDecrypt + jwtVerify + claim checks. QR in byte mode. Decode: one thread,`,
    `${WARMUP_MS} ms warm-up, then ≥ ${MEASURE_MS} ms of calls; latency per call with process.hrtime.bigint.`,
    '',
    '| suite | format | bytes | text chars | QR ver. L | QR ver. M | decode/s | p50 µs | p99 µs |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { suite, o, j } of figures) {
    out.push(row(suite.name, 'ours (COSE)', o), row(suite.name, 'jose (JWT)', j));
    out.push(`| ${suite.name} | **ratio ours/jose** | ${(o.bytes / j.bytes).toFixed(2)} | ${(o.chars / j.chars).toFixed(2)} | | | ${(o.timing.perSec / j.timing.perSec).toFixed(2)} | | |`);
  }
  out.push('', '| suite | target (issue 2) | measured | |', '| --- | --- | ---: | --- |');
  for (const { suite, o, j } of figures) out.push(...targets(suite, o, j));
  return out.join('\n') + '\n';
}
