/** `kiosk provision import ...`: the minimal key import (full technician flows come later). */
import { readFileSync } from 'node:fs';
import { importKeys } from '../../../provisioning/import.js';
import { resolveHome } from '../../home.js';
import { EXIT, parseCommand, printJson, required, str } from '../cli-util.js';

export const summary = 'import a platform public key and a merchant private key into the kiosk home';

const USAGE = `usage: kiosk provision import --home DIR --platform-id P --platform-key FILE.pem
                             --merchant-id M --merchant-key FILE.pem [--json]

  --platform-key   the platform's signing key: SPKI public PEM (a private PEM also works;
                   only its public half is stored). Ed25519 -> alg -8, RSA -> alg -37.
  --merchant-key   the merchant's private key (X25519 or RSA >= 2048), PEM; it is copied
                   to DIR/keys/ with mode 0600 (directory 0700).
  --home           the kiosk home (default: $KIOSK_HOME or /var/lib/coupon-kiosk)
Running it again with the same keys changes nothing.`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'import') {
    process.stderr.write(`kiosk provision: unknown subcommand '${sub}'\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const { parsed, exitCode } = parseCommand(rest, USAGE, {
    home: { type: 'string' },
    'platform-id': { type: 'string' },
    'platform-key': { type: 'string' },
    'merchant-id': { type: 'string' },
    'merchant-key': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!parsed) return exitCode;
  const req = required(parsed, ['platform-id', 'platform-key', 'merchant-id', 'merchant-key'], USAGE);
  if (!req) return EXIT.usage;
  const result = importKeys({
    home: resolveHome(str(parsed, 'home')),
    platformId: req['platform-id'] as string,
    platformKeyPem: readFileSync(req['platform-key'] as string, 'utf8'),
    merchantId: req['merchant-id'] as string,
    merchantKeyPem: readFileSync(req['merchant-key'] as string, 'utf8'),
  });
  if (parsed.values['json']) printJson(result);
  else {
    process.stdout.write(
      `platform ${req['platform-id']}: signing key kid ${result.platformKid} (alg ${result.platformAlg})${result.trustChanged ? '' : ' (unchanged)'}\n` +
        `merchant ${req['merchant-id']}: ${result.merchantKind} key kid ${result.merchantKid} -> ${result.merchantKeyFile}${result.keyWritten ? '' : ' (unchanged)'}\n`,
    );
  }
  return EXIT.ok;
}
