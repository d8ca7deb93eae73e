/** `kiosk provision enroll`: enroll this kiosk with a platform service, from a token or the setup QR's content. */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { enroll } from '../../../provisioning/enroll.js';
import type { EnrollOutcome } from '../../../provisioning/outcome.js';
import { parseSetupCode } from '../../../protocol/setup-code.js';
import { httpTransport } from '../../../sync/transport/http.js';
import { resolveHome } from '../../home.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';
import { UsageError, checkKid, cliLogger, endpointOf, reportFailure, tlsPolicy } from './common.js';

export const USAGE = `usage: kiosk provision enroll --home DIR --url URL --token TOKEN [--expect-platform-kid KID]
                             [--tls-pin sha256/… | --tls-ca FILE] [--name NAME] [--json]
       kiosk provision enroll --home DIR --setup-code TEXT|- [--name NAME] [--json]

  --url, --token          the platform service and the one-time enrollment token (coupon-platform enroll-token)
  --setup-code TEXT|-     the setup QR's content (JSON: url, token, platform_kid, tls_pin), or - to read it from
                          stdin (a scanner): pins the platform key and the TLS key with no typing
  --expect-platform-kid   the kid of the platform signing key the answer must be signed by (a man in the
                          middle is refused). Without it (and without a setup code) the key is trusted on first
                          use: its fingerprint is printed; compare it with coupon-platform keys list
  --tls-pin sha256/…      accept only a TLS server key with this RFC 7469 pin (a self-signed certificate too)
  --tls-ca FILE           trust this CA certificate (or the server's own certificate), PEM; default: the system CAs
  --name NAME             this device's name on the platform (default: the host name)
The kiosk makes its terminal, wrap and transport keys, checks everything the platform answers, then installs
it in DIR/platforms/<platformId>/ all at once. Run it as the service user (sudo -u kiosk …).`;

const OPTIONS = {
  home: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' }, 'setup-code': { type: 'string' },
  'expect-platform-kid': { type: 'string' }, 'tls-pin': { type: 'string' }, 'tls-ca': { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' },
} as const;

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, OPTIONS);
  if (!parsed) return exitCode;
  const json = parsed.values['json'] === true;
  const logger = cliLogger();
  try {
    const target = await what(parsed.values as Record<string, string | undefined>);
    const transport = httpTransport(target.endpoint, { logger });
    try {
      const outcome = await enroll(
        { home: resolveHome(str(parsed, 'home')), endpoint: target.endpoint, token: target.token, expectPlatformKid: target.expectKid, device: { name: deviceName(str(parsed, 'name')), software: software() } },
        { exchange: transport.exchange, logger },
      );
      report(outcome, json);
      return EXIT.ok;
    } finally {
      await transport.close();
    }
  } catch (err) {
    return reportFailure(err, json, USAGE);
  }
}

/** The URL, token, expected kid and TLS policy, from the flags or the setup code. */
async function what(v: Record<string, string | undefined>) {
  const code = v['setup-code'];
  if (code !== undefined) {
    if (v['url'] !== undefined || v['token'] !== undefined || v['tls-pin'] !== undefined) throw new UsageError('--setup-code carries the URL, token and pins: give it alone, without --url, --token or --tls-pin');
    const text = code === '-' ? await readStdin() : code;
    if (text.trim() === '') throw new UsageError('--setup-code -: nothing was read from stdin');
    const parsed = parseSetupCode(text);
    if (!parsed.ok) throw Object.assign(new Error(parsed.message), { code: parsed.code });
    const s = parsed.setup;
    const expect = checkKid('--expect-platform-kid', v['expect-platform-kid']);
    if (expect !== undefined && expect !== s.platform_kid) throw new UsageError(`--expect-platform-kid ${expect} contradicts the setup code's platform_kid ${s.platform_kid}`);
    if (!TOKEN.test(s.token)) throw new UsageError('the setup code\'s token has characters this platform version does not issue');
    return { endpoint: endpointOf(s.url, tlsPolicy(s.tls_pin, v['tls-ca'])), token: s.token, expectKid: s.platform_kid };
  }
  const url = v['url'];
  const token = v['token'];
  if (url === undefined || token === undefined) throw new UsageError('give --url and --token, or --setup-code');
  if (!TOKEN.test(token)) throw new UsageError('--token must be the 16-128 letters, digits, - or _ that coupon-platform enroll-token printed');
  return { endpoint: endpointOf(url, tlsPolicy(v['tls-pin'], v['tls-ca'])), token, expectKid: checkKid('--expect-platform-kid', v['expect-platform-kid']) };
}

function report(o: EnrollOutcome, json: boolean): void {
  const warnings: string[] = [];
  if (o.anchor.mode === 'first-use') {
    warnings.push(`no expected platform key was given: trusted on first use. Compare the fingerprint(s) with the platform's (coupon-platform keys list); to pin: --expect-platform-kid ${o.anchor.kid} or the setup QR`);
  }
  if (Math.abs(o.clockSkewMs) > 60_000) warnings.push(`this kiosk's clock is ${Math.round(o.clockSkewMs / 1000)} s off the platform's signed time: set it (timedatectl)`);
  for (const w of warnings) process.stderr.write(`WARNING: ${w}\n`);
  if (json) {
    printJson({ ok: true, ...o, warnings });
    return;
  }
  const lines = [
    `enrolled with platform ${o.platformId} as terminal ${o.terminalId} (merchant ${o.merchantId}, branch ${o.branchId}, claim mode ${o.claimMode ?? '-'})`,
    `terminal key ${o.terminalKid}, wrap key ${o.wrapKid}`,
    `trust bundle ${o.trustSeq}, ${o.anchor.mode === 'pinned' ? 'pinned by' : 'trusted on first use:'} ${o.anchor.kid}`,
    ...o.platformKeys.map((k) => `platform key ${k.kid} ${k.alg} fingerprint ${k.fingerprint}${k.notAfter ? ` valid until ${k.notAfter}` : ''}`),
    `merchant keys ${o.merchantKids.join(', ')}`,
    `installed in ${o.dir}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function deviceName(flag: string | undefined): string {
  const name = (flag ?? os.hostname()).trim().slice(0, 100);
  if (name === '') throw new UsageError('--name must not be empty');
  return name;
}

export function software(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return `coupon-kiosk/${pkg.version ?? 'unknown'}`;
  } catch {
    return 'coupon-kiosk';
  }
}

/** The first non-empty line on stdin: a scanner sends the QR's content as one line, and no end of input. */
async function readStdin(): Promise<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.trim() !== '') return line.slice(0, 16_384);
    return '';
  } finally {
    lines.close();
    process.stdin.pause();
  }
}
