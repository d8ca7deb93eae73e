/** `kiosk provision import`: a provisioning bundle (--bundle), or a platform key and a merchant key from PEM files. */
import { readFileSync } from 'node:fs';
import { importBundle } from '../../../provisioning/bundle-import.js';
import { importKeys } from '../../../provisioning/import.js';
import { resolveHome } from '../../home.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';
import { UsageError, checkKid, cliLogger, endpointOf, passphrase, reportFailure, tlsPolicy } from './common.js';

export const USAGE = `usage: kiosk provision import --home DIR --bundle FILE [--passphrase-file FILE] [--expect-platform-kid KID]
                             [--url URL [--tls-pin sha256/… | --tls-ca FILE]] [--json]
       kiosk provision import --home DIR --platform-id P --platform-key FILE.pem
                             --merchant-id M --merchant-key FILE.pem [--json]

  --bundle FILE        the offline provisioning file of coupon-platform bundle: the terminal's keys and the
                       merchant keys under a passphrase, with the signed enrollment and trust bundle; installed
                       in DIR/platforms/<platformId>/ all at once
  --passphrase-file    the bundle's passphrase (else $KIOSK_BUNDLE_PASSPHRASE, else asked on the terminal)
  --expect-platform-kid  the kid of the platform key that must have signed the bundle; without it the key is
                       trusted on first use (its fingerprint is printed)
  --url                the platform service, for later refreshes (a bundle carries none)
  --platform-key       PEM import: the platform's signing key: SPKI public PEM (a private PEM also works; only
                       its public half is stored). Ed25519 -> alg -8, RSA -> alg -37.
  --merchant-key       PEM import: the merchant's private key (X25519 or RSA >= 2048), PEM; it is copied to
                       DIR/keys/ with mode 0600 (directory 0700). Running it again with the same keys changes nothing.
  --home               the kiosk home (default: $KIOSK_HOME or /var/lib/coupon-kiosk)`;

const OPTIONS = {
  home: { type: 'string' }, bundle: { type: 'string' }, 'passphrase-file': { type: 'string' }, 'expect-platform-kid': { type: 'string' },
  url: { type: 'string' }, 'tls-pin': { type: 'string' }, 'tls-ca': { type: 'string' },
  'platform-id': { type: 'string' }, 'platform-key': { type: 'string' }, 'merchant-id': { type: 'string' }, 'merchant-key': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, OPTIONS);
  if (!parsed) return exitCode;
  const json = parsed.values['json'] === true;
  try {
    const v = parsed.values as Record<string, string | undefined>;
    const home = resolveHome(str(parsed, 'home'));
    return v['bundle'] !== undefined ? await fromBundle(home, v, json) : fromPem(home, v, json);
  } catch (err) {
    return reportFailure(err, json, USAGE);
  }
}

async function fromBundle(home: string, v: Record<string, string | undefined>, json: boolean): Promise<number> {
  const pem = ['platform-id', 'platform-key', 'merchant-id', 'merchant-key'].filter((k) => v[k] !== undefined);
  if (pem.length > 0) throw new UsageError(`--bundle carries everything: drop ${pem.map((k) => '--' + k).join(', ')}`);
  const file = v['bundle']!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--bundle ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const secret = await passphrase(v['passphrase-file']);
  const endpoint = v['url'] === undefined ? undefined : endpointOf(v['url'], tlsPolicy(v['tls-pin'], v['tls-ca']));
  const outcome = await importBundle({ home, bundle: text, source: file, passphrase: secret, expectPlatformKid: checkKid('--expect-platform-kid', v['expect-platform-kid']), endpoint }, { logger: cliLogger() });
  const warnings = outcome.anchor.mode === 'first-use'
    ? [`no --expect-platform-kid: the platform key was trusted on first use. Compare the fingerprint(s) with the platform's (coupon-platform keys list)`]
    : [];
  if (!endpoint) warnings.push('no --url: this platform cannot be refreshed or synced until it is enrolled with one');
  for (const w of warnings) process.stderr.write(`WARNING: ${w}\n`);
  if (json) printJson({ ok: true, ...outcome, warnings });
  else {
    process.stdout.write(
      [
        `imported platform ${outcome.platformId} as terminal ${outcome.terminalId} (merchant ${outcome.merchantId}, branch ${outcome.branchId})`,
        `terminal key ${outcome.terminalKid}, wrap key ${outcome.wrapKid}, trust bundle ${outcome.trustSeq}`,
        ...outcome.platformKeys.map((k) => `platform key ${k.kid} ${k.alg} fingerprint ${k.fingerprint}`),
        `merchant keys ${outcome.merchantKids.join(', ')}`,
        `installed in ${outcome.dir}`,
      ].join('\n') + '\n',
    );
  }
  return EXIT.ok;
}

function fromPem(home: string, v: Record<string, string | undefined>, json: boolean): number {
  const missing = ['platform-id', 'platform-key', 'merchant-id', 'merchant-key'].filter((k) => v[k] === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((m) => '--' + m).join(', ')} (or give --bundle FILE)`);
  const read = (flag: string) => {
    try {
      return readFileSync(v[flag]!, 'utf8');
    } catch (err) {
      throw new UsageError(`--${flag} ${v[flag]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const result = importKeys({ home, platformId: v['platform-id']!, platformKeyPem: read('platform-key'), merchantId: v['merchant-id']!, merchantKeyPem: read('merchant-key') });
  if (json) printJson(result);
  else {
    process.stdout.write(
      `platform ${v['platform-id']}: signing key kid ${result.platformKid} (alg ${result.platformAlg})${result.trustChanged ? '' : ' (unchanged)'}\n` +
        `merchant ${v['merchant-id']}: ${result.merchantKind} key kid ${result.merchantKid} -> ${result.merchantKeyFile}${result.keyWritten ? '' : ' (unchanged)'}\n`,
    );
  }
  return EXIT.ok;
}
