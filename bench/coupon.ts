/**
 * Coupon format: size and decode speed (issue 2). For each suite, our coupon
 * (COSE nested CWT) against the same claims as a nested JWT made with `jose`,
 * measured in the same run: size, QR version, terminal decode throughput and
 * latency. Decode is single-threaded, with a warm-up, and at least
 * MEASURE_MS of work per figure.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import * as jose from 'jose';
import { Keyring, generateKeyPair, issueCoupon, kidOf, privateKeyToPem, publicKeyToPem, verifyCoupon } from '../coupon/index.js';
import { ALG, type Claims, type SignAlg } from '../coupon/types.js';
import { qrVersion } from '../platform/qr.js';

export const title = 'Coupon format: size and decode speed';

const WARMUP_MS = 500;
const MEASURE_MS = 2000;
const ROUNDS = 8;

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

interface Size {
  bytes: number;
  chars: number;
  qrL: number;
  qrM: number;
}

interface Contestant {
  size: Size;
  decode: Decode;
}

type Figures = Size & { timing: Timing };

type Decode = () => unknown;

/** Runs fn for `ms`, pushing each call's latency (ns); returns the time spent (ns). */
async function runFor(fn: Decode, ms: number, lat: number[]): Promise<number> {
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(ms * 1e6));
  let t = start;
  while (t < end) {
    const r = fn();
    if (r instanceof Promise) await r;
    const t2 = process.hrtime.bigint();
    lat.push(Number(t2 - t));
    t = t2;
  }
  return Number(t - start);
}

/**
 * Measures the decoders in alternating rounds, so that each sees the same
 * machine (other load, thermal state) and the ratios between them hold even
 * when the absolute figures wander.
 */
async function measureAll(fns: Decode[]): Promise<Timing[]> {
  for (const fn of fns) await runFor(fn, WARMUP_MS, []);
  const lat = fns.map((): number[] => []);
  const spent = fns.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, fn] of fns.entries()) spent[i]! += await runFor(fn, MEASURE_MS / ROUNDS, lat[i]!);
  }
  return lat.map((l, i) => {
    l.sort((a, b) => a - b);
    const pct = (p: number): number => (l[Math.min(l.length - 1, Math.floor(p * l.length))] ?? 0) / 1000;
    return { perSec: l.length / (spent[i]! / 1e9), p50us: pct(0.5), p99us: pct(0.99), calls: l.length };
  });
}

function sizes(text: string, bytes: number): Size {
  return { bytes, chars: text.length, qrL: qrVersion(text, 'L'), qrM: qrVersion(text, 'M') };
}

function ours(suite: Suite, sign: KeyPairLike, enc: KeyPairLike): Contestant {
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
  const decode = (): void => {
    if (!verifyCoupon(text, keyring, NOW).ok) throw new Error('bench: verify failed');
  };
  return { size: sizes(text, Buffer.from(text, 'base64').length), decode };
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

async function viaJose(suite: Suite, sign: KeyPairLike, enc: KeyPairLike): Promise<Contestant> {
  const k = await joseKeys(suite, sign, enc);
  const jws = await new jose.SignJWT(jwtPayload()).setProtectedHeader({ alg: suite.jws, kid: k.signKid }).sign(k.signPriv);
  const token = await new jose.CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: suite.jwe, enc: 'A256GCM', cty: 'JWT', kid: k.encKid })
    .encrypt(k.encPub);
  await joseDecode(token, k);
  return { size: sizes(token, token.length), decode: () => joseDecode(token, k) };
}

/**
 * The floor: only the node:crypto calls any decoder of this suite must make
 * (key agreement or RSA-OAEP, AES-GCM, signature check) on inputs of the
 * coupon's sizes, with no parsing. Ours divided by this is the price of our code.
 */
function gcmBox(key: Buffer, plain: Buffer): { iv: Buffer; ct: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const c = createCipheriv(key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm', key, iv);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return { iv, ct, tag: c.getAuthTag() };
}

function gcmOpen(key: Buffer, box: { iv: Buffer; ct: Buffer; tag: Buffer }): Buffer {
  const d = createDecipheriv(key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm', key, box.iv);
  d.setAuthTag(box.tag);
  return Buffer.concat([d.update(box.ct), d.final()]);
}

function floor(suite: Suite, sign: KeyPairLike, enc: KeyPairLike, couponBytes: number): Decode {
  const signed = randomBytes(Math.max(64, couponBytes - 150));
  const sig = cryptoSign(suite.signKind === 'rsa' ? 'sha256' : null, signed, signOpts(suite, sign.privateKey));
  const check = (): void => {
    if (!cryptoVerify(suite.signKind === 'rsa' ? 'sha256' : null, signed, signOpts(suite, sign.publicKey), sig)) throw new Error('bench: floor sig');
  };
  const plain = Buffer.concat([signed, sig]);
  if (suite.encKind === 'rsa') {
    const oaep = { key: enc.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
    const cek = randomBytes(32);
    const wrapped = publicEncrypt(oaep, cek);
    const box = gcmBox(cek, plain);
    return () => {
      gcmOpen(privateDecrypt({ ...oaep, key: enc.privateKey }, wrapped), box);
      check();
    };
  }
  const eph = generateKeyPairSync('x25519');
  const x = eph.publicKey.export({ format: 'jwk' }).x ?? '';
  const info = randomBytes(20);
  const cekOf = (publicKey: KeyObject, privateKey: KeyObject): Buffer => Buffer.from(hkdfSync('sha256', diffieHellman({ publicKey, privateKey }), Buffer.alloc(0), info, 32));
  const box = gcmBox(cekOf(enc.publicKey, eph.privateKey), plain);
  return () => {
    const ephPub = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
    gcmOpen(cekOf(ephPub, enc.privateKey), box);
    check();
  };
}

function signOpts(suite: Suite, key: KeyObject) {
  return suite.signKind === 'rsa' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : { key };
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
  const figures: Array<{ suite: Suite; o: Figures; j: Figures; floor: Timing }> = [];
  for (const suite of SUITES) {
    const sign = generateKeyPair(suite.signKind);
    const enc = generateKeyPair(suite.encKind);
    process.stderr.write(`bench: coupon ${suite.name}...\n`);
    const o = ours(suite, sign, enc);
    const j = await viaJose(suite, sign, enc);
    const [ot, jt, ft] = await measureAll([o.decode, j.decode, floor(suite, sign, enc, o.size.bytes)]);
    figures.push({ suite, o: { ...o.size, timing: ot! }, j: { ...j.size, timing: jt! }, floor: ft! });
  }
  const out = [
    'Claims of the format\'s example sizes (iss "meituan-01", sub "u-83920117", aud "shop-00042", product "sku-778812",',
    '12-byte serial, 20-byte title, quantity 2, exp/nbf/iat). jose: nested JWT (JWS inside a compact JWE, A256GCM,',
    'kids in both headers), decoded with compactDecrypt + jwtVerify + claim checks. The floor is the bare node:crypto calls',
    'a decoder of that suite cannot avoid (key agreement or RSA-OAEP, AES-GCM, signature check). QR in byte mode. Decode: one thread,',
    `${WARMUP_MS} ms warm-up each, then ≥ ${MEASURE_MS} ms of calls each, in ${ROUNDS} alternating rounds (ours, jose, floor) so that`,
    'all three see the same machine load; latency per call with process.hrtime.bigint.',
    '',
    '| suite | format | bytes | text chars | QR ver. L | QR ver. M | decode/s | p50 µs | p99 µs |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { suite, o, j, floor: fl } of figures) {
    out.push(row(suite.name, 'ours (COSE)', o), row(suite.name, 'jose (JWT)', j));
    out.push(`| ${suite.name} | floor: node:crypto calls only | | | | | ${fmt(fl.perSec)} | ${fmt(fl.p50us, 1)} | ${fmt(fl.p99us, 1)} |`);
    out.push(`| ${suite.name} | **ratio ours/jose** | ${(o.bytes / j.bytes).toFixed(2)} | ${(o.chars / j.chars).toFixed(2)} | | | ${(o.timing.perSec / j.timing.perSec).toFixed(2)} | | |`);
  }
  out.push('', 'Ours reaches ' + figures.map((x) => `${((100 * x.o.timing.perSec) / x.floor.perSec).toFixed(0)} % of the crypto floor (${x.suite.name})`).join(' and ') + '.');
  out.push('', '| suite | target (issue 2) | measured | |', '| --- | --- | ---: | --- |');
  for (const { suite, o, j } of figures) out.push(...targets(suite, o, j));
  return out.join('\n') + '\n';
}
