/**
 * `kiosk provision enroll`: the kiosk makes its terminal key (Ed25519) and
 * wrap key (X25519) and a one-time transport key (X25519), sends the public
 * halves with the token (signed by the terminal key), checks everything in
 * the answer, then installs it all at once (admit.ts).
 *
 * The terminal and wrap keys are saved in the enrollment's staging folder
 * before the request goes out, named after the token: when the answer is
 * lost (network, a platform killed after its commit, this kiosk killed), the
 * same command again sends the same key, and the platform, which lets the
 * winning key retry its used token, answers again. A definitive refusal
 * (unknown, used or expired token) deletes the staging folder.
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { rawPublicKey } from '../coupon/keys.js';
import type { MerchantKey } from '../coupon/types.js';
import type { Logger } from '../device/logger.js';
import { EnrollResponse, ErrorBody, type EnrollRequest } from '../protocol/api.js';
import type { Exchange, PlatformEndpoint, RawAnswer } from '../protocol/exchange.js';
import { verifyResponse } from '../protocol/http-signature.js';
import { payloadReader } from '../protocol/json-payload.js';
import { MERCHANT_KEYS_CONTENT_TYPE, decodeMerchantKeys } from '../protocol/merchant-keys.js';
import { openSealed } from '../protocol/sealed.js';
import { admitPlatform } from './admit.js';
import { HomeError } from '../device/home-error.js';
import { loadHomeKeys } from './home-keys.js';
import { crashPoint } from './crash-point.js';
import { ProvisionError, type ProvisionCode } from './errors.js';
import { describeOutcome, type EnrollOutcome } from './outcome.js';
import { checkEnrollmentDocument, checkTrustBundle, type CheckedDocuments, type TrustAnchor } from './platform-documents.js';
import { hexKid, readTypedKey, writePrivateKey } from './store/key-files.js';
import { ENROLLMENT_FILE, STAGING_PREFIX, TERMINAL_KEY_FILE, WRAP_KEY_FILE, platformsDir } from './store/layout.js';
import { enrolledIds } from './store/load.js';
import { withStoreLock } from './store/lock.js';
import { readEnrollmentRecord } from './store/record.js';
import { cleanLeftovers } from './store/write.js';
import { ensureDir } from '../device/atomic-write.js';

export interface EnrollInput {
  home: string;
  endpoint: PlatformEndpoint;
  token: string;
  /** the kid the answer must be signed by (setup code, --expect-platform-kid); none: trust on first use */
  expectPlatformKid?: string | undefined;
  device: EnrollRequest['device'];
}

export interface EnrollDeps {
  exchange: Exchange;
  logger: Logger;
  now?: () => number;
  /** makes the new private keys (default: node:crypto); a test sees them to search every output for them */
  generateKey?: (type: 'ed25519' | 'x25519') => KeyObject;
}

const generate = (type: 'ed25519' | 'x25519'): KeyObject => (type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('x25519')).privateKey;

interface DeviceKeys {
  terminal: KeyObject;
  wrap: KeyObject;
  terminalKid: string;
  wrapKid: string;
  reused: boolean;
}

const responseReader = payloadReader(EnrollResponse, 'enrollment answer');
const errorReader = payloadReader(ErrorBody, 'error answer');

export async function enroll(input: EnrollInput, deps: EnrollDeps): Promise<EnrollOutcome> {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ module: 'enroll' });
  return withStoreLock(input.home, 'kiosk provision enroll', async () => {
    refuseKnown(input);
    const staging = path.join(platformsDir(input.home), STAGING_PREFIX + stagingName(input));
    cleanLeftovers(input.home, now(), staging);
    const make = deps.generateKey ?? generate;
    const keys = deviceKeys(staging, make);
    crashPoint('enroll:keys-saved');
    const transportKey = make('x25519');
    const transport = { privateKey: transportKey, publicKey: createPublicKey(transportKey) };
    log.info({ url: input.endpoint.url, terminalKid: keys.terminalKid, wrapKid: keys.wrapKid, reusedKeys: keys.reused }, 'enrolling');
    const raw = await send(input, deps, keys, transport.publicKey); // no answer: the keys stay for a retry
    let dir: string;
    let checked: CheckedAnswer;
    try {
      crashPoint('enroll:answered');
      if (raw.status !== 200) throw refused(raw, input.endpoint.url);
      checked = checkAnswer(raw, input, keys, transport.privateKey, now());
      crashPoint('enroll:verified');
      dir = admitPlatform(input.home, staging, material(input, keys, checked, now()));
    } catch (err) {
      rmSync(staging, { recursive: true, force: true }); // an answer came: these keys are of no further use
      throw err;
    }
    crashPoint('enroll:done');
    log.info({ platformId: checked.enrollment.platformId, terminalId: checked.enrollment.terminalId, trustSeq: checked.trust.bundle.seq, anchor: checked.anchor }, 'enrolled');
    return describeOutcome(dir, checked, { anchor: checked.anchor, reusedKeys: keys.reused, clockSkewMs: checked.platformTime - now() });
  });
}

/**
 * Refused before the token is spent: a home whose keys do not load (fix them
 * first), a platform enrolled from the same URL already.
 */
function refuseKnown(input: EnrollInput): void {
  try {
    loadHomeKeys(input.home);
  } catch (err) {
    if (err instanceof HomeError) throw new HomeError(err.code, `not enrolling (the token is kept): the home's keys do not load: ${err.message}`, { cause: err });
    throw err;
  }
  for (const id of enrolledIds(input.home)) {
    const file = path.join(platformsDir(input.home), id, ENROLLMENT_FILE);
    let url: string | null;
    try {
      url = readEnrollmentRecord(file).url;
    } catch {
      continue; // a broken folder is the loader's and the doctor's to report
    }
    if (url !== null && sameUrl(url, input.endpoint.url)) {
      throw new ProvisionError('ALREADY_ENROLLED', `${input.endpoint.url} is platform '${id}', enrolled in this home already (the token was not used); kiosk provision remove --platform ${id} first to enroll again`);
    }
  }
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => new URL(u).href.replace(/\/+$/, '');
  return norm(a) === norm(b);
}

/** The staging folder of this URL and token: the same command again finds its keys there. */
function stagingName(input: EnrollInput): string {
  return createHash('sha256').update(`${input.endpoint.url}\n${input.token}`).digest('hex').slice(0, 16);
}

/** The keys saved by an earlier attempt with this token, or new ones, saved before anything is sent. */
function deviceKeys(staging: string, make: (type: 'ed25519' | 'x25519') => KeyObject): DeviceKeys {
  const tFile = path.join(staging, TERMINAL_KEY_FILE);
  const wFile = path.join(staging, WRAP_KEY_FILE);
  if (existsSync(tFile) && existsSync(wFile)) {
    try {
      const terminal = readTypedKey({ file: tFile, origin: 'home' }, 'ed25519').privateKey;
      const wrap = readTypedKey({ file: wFile, origin: 'home' }, 'x25519').privateKey;
      return { terminal, wrap, terminalKid: hexKid(terminal), wrapKid: hexKid(wrap), reused: true };
    } catch {
      rmSync(staging, { recursive: true, force: true }); // torn by a crash: start afresh
    }
  }
  ensureDir(staging, 0o700);
  const terminal = make('ed25519');
  const wrap = make('x25519');
  writePrivateKey(tFile, terminal);
  writePrivateKey(wFile, wrap);
  return { terminal, wrap, terminalKid: hexKid(terminal), wrapKid: hexKid(wrap), reused: false };
}

async function send(input: EnrollInput, deps: EnrollDeps, keys: DeviceKeys, transportKey: KeyObject): Promise<RawAnswer> {
  const b64 = (k: KeyObject) => Buffer.from(rawPublicKey(k.type === 'private' ? createPublicKey(k) : k)).toString('base64url');
  const body: EnrollRequest = { token: input.token, terminalKey: b64(keys.terminal), wrapKey: b64(keys.wrap), transportKey: b64(transportKey), device: input.device };
  try {
    return await deps.exchange({ method: 'POST', path: '/v1/enroll', body }, { signer: { kid: keys.terminalKid, privateKey: keys.terminal } });
  } catch (err) {
    const e = err as Error & { code?: string };
    const again = e.code === 'TLS_PIN_MISMATCH' || e.code === 'TLS_FAILED' ? '' : '; run the same command again: this kiosk sends the same key, and the platform answers again if it had enrolled it';
    throw Object.assign(new Error(`enrollment: no answer from ${input.endpoint.url}: ${e.message}${again}. Nothing was written`, { cause: err }), { code: e.code ?? 'UNREACHABLE' });
  }
}

/** The platform's refusal, as this kiosk's error. */
function refused(raw: RawAnswer, url: string): ProvisionError {
  const body = errorReader.read(raw.body);
  const code = body.ok ? body.value.code : `HTTP_${raw.status}`;
  const mine: ProvisionCode = code === 'TOKEN_UNKNOWN' || code === 'TOKEN_USED' || code === 'TOKEN_EXPIRED' ? code : 'ENROLL_REFUSED';
  const hint: Record<string, string> = {
    TOKEN_UNKNOWN: 'the platform does not know this token: check it, or make a new one (coupon-platform enroll-token)',
    TOKEN_USED: 'another device (or this one, with keys it no longer has) used this token: make a new one',
    TOKEN_EXPIRED: 'the token expired: make a new one',
    STALE_REQUEST: "this kiosk's clock is off by more than 5 minutes: set it (timedatectl), then run the same command again",
  };
  const said = body.ok ? body.value.message : `status ${raw.status}`;
  return new ProvisionError(mine, `${url} refused the enrollment: ${code}: ${said}${hint[code] ? ` — ${hint[code]}` : ''}. Nothing was written`);
}

function material(input: EnrollInput, keys: DeviceKeys, checked: CheckedAnswer, nowMs: number): Parameters<typeof admitPlatform>[2] {
  const e = checked.enrollment;
  return {
    record: {
      format: 1, platformId: e.platformId, terminalId: e.terminalId, merchantId: e.merchantId, branchId: e.branchId, url: input.endpoint.url, tls: input.endpoint.tls,
      terminalKid: keys.terminalKid, wrapKid: keys.wrapKid, sync: e.sync, enrolledAt: nowMs, enrolledBy: 'token', trustAnchor: checked.anchor,
      document: Buffer.from(checked.enrollmentDocument).toString('base64'), disabled: null, lastRefresh: null,
    },
    trust: { format: 1, seq: checked.trust.bundle.seq, issuedAt: checked.trust.bundle.issuedAt, receivedAt: nowMs, document: Buffer.from(checked.trust.document).toString('base64') },
    terminalKey: keys.terminal, wrapKey: keys.wrap, merchantKeys: checked.merchantKeys, trustKeys: checked.trust.keys,
  };
}

interface CheckedAnswer extends CheckedDocuments {
  merchantKeys: MerchantKey[];
  platformTime: number;
}

/** Every check of the answer, before anything is written. */
function checkAnswer(raw: RawAnswer, input: EnrollInput, keys: DeviceKeys, transport: KeyObject, nowMs: number): CheckedAnswer {
  const source = input.endpoint.url;
  const read = responseReader.read(raw.body);
  if (!read.ok) throw new ProvisionError('ENROLLMENT_INVALID', `${source}: ${read.message}. Nothing was written`);
  const answer = read.value;
  const { trust, anchor, anchorLookup } = checkTrustBundle(Buffer.from(answer.trust, 'base64'), { expectKid: input.expectPlatformKid, nowMs, source });
  const verdict = verifyResponse({ status: raw.status, headers: raw.headers, body: raw.body }, raw.requestSignature, anchorLookup);
  if (!verdict.ok) {
    const code = anchor.mode === 'pinned' ? 'PLATFORM_KEY_MISMATCH' : 'ENROLLMENT_INVALID';
    throw new ProvisionError(code, `${source}: the answer is not signed by ${anchor.mode === 'pinned' ? `the expected key ${anchor.kid}` : 'a key of its trust bundle'} (${verdict.code}: ${verdict.message}). Nothing was written`);
  }
  const enrollment = checkEnrollmentDocument(Buffer.from(answer.enrollment, 'base64'), trust, { terminalKid: keys.terminalKid, wrapKid: keys.wrapKid, nowMs, source });
  const merchantKeys = openMerchantKeys(answer.merchantKeys, transport, source);
  return { anchor, trust, enrollment, enrollmentDocument: Buffer.from(answer.enrollment, 'base64'), merchantKeys, platformTime: answer.time };
}

function openMerchantKeys(b64: string, transport: KeyObject, source: string): MerchantKey[] {
  const kid = hexKid(transport);
  const opened = openSealed(Buffer.from(b64, 'base64'), MERCHANT_KEYS_CONTENT_TYPE, (k) => (k === kid ? transport : undefined));
  if (!opened.ok) throw new ProvisionError('ENROLLMENT_INVALID', `${source}: the merchant keys do not open with this enrollment's transport key (${opened.code}: ${opened.message}). Nothing was written`);
  const decoded = decodeMerchantKeys(opened.plaintext);
  if (!decoded.ok) throw new ProvisionError('ENROLLMENT_INVALID', `${source}: merchant keys: ${decoded.code}: ${decoded.message}. Nothing was written`);
  return decoded.keys;
}

export type { TrustAnchor };
