/** `coupon-platform keygen`: a key pair to files, printing its kid (COUPON-FORMAT.md §4). */
import { generateKeyPair, kidOf, toHex } from '../../coupon/index.js';
import { parseCommand } from '../args.js';
import { CliError } from '../cli-error.js';
import { KEY_KINDS, MIN_RSA_BITS, writeKeyPair, type KeyKind } from '../key-files.js';

export const summary = 'generate an Ed25519/X25519/RSA key pair (PREFIX.key.pem, PREFIX.pub.pem) and print its kid';

const USAGE = `usage: coupon-platform keygen --kind ed25519|x25519|rsa [--bits 2048] --out PREFIX [--force]

  Platform signing keys are ed25519 or rsa; merchant keys x25519 or rsa.
  Writes PREFIX.key.pem (PKCS#8, mode 0600) and PREFIX.pub.pem (SPKI) and prints the kid in hex.
  --force replaces existing files.`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { kind: { type: 'string' }, bits: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } }, USAGE);
  if (!args) return 0;
  const kind = args.required('kind');
  if (!(KEY_KINDS as readonly string[]).includes(kind)) throw new CliError('USAGE', `--kind must be ed25519, x25519 or rsa, not '${kind}'`);
  if (kind !== 'rsa' && args.has('bits')) throw new CliError('USAGE', `--bits applies to --kind rsa only`);
  const bits = args.int('bits', MIN_RSA_BITS, 16384, MIN_RSA_BITS);
  const pair = generateKeyPair(kind as KeyKind, bits);
  const files = writeKeyPair(args.required('out'), pair, args.flag('force'));
  process.stdout.write(toHex(kidOf(pair.publicKey)) + '\n');
  process.stderr.write(`wrote ${files.privateFile} and ${files.publicFile}\n`);
  return 0;
}
