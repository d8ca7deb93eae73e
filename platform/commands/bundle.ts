/**
 * `coupon-platform bundle`: an offline provisioning file for a shop without
 * network at install time (protocol/provisioning-bundle.ts). Registers a
 * terminal; its keys and the merchant keys are sealed under the passphrase,
 * read from --passphrase-file or $COUPON_BUNDLE_PASSPHRASE (never a flag:
 * flags show in `ps`).
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { ADMIN_OPTIONS, ADMIN_USAGE, adminClient } from '../admin-client.js';
import { parseCommand } from '../args.js';
import { CliError } from '../cli-error.js';

export const summary = 'an offline provisioning file (keys sealed under a passphrase); registers a terminal';

const USAGE = `usage: coupon-platform bundle --url URL (--token-file FILE | --data DIR) --merchant M --branch B --out FILE
         (--passphrase-file FILE | $COUPON_BUNDLE_PASSPHRASE) [--name NAME] [--json]

${ADMIN_USAGE}
  --out FILE                the bundle (JSON, mode 0600); install with \`kiosk provision import --bundle FILE\`
  --passphrase-file FILE    the passphrase (at least 12 characters); tell it to the technician apart from the file`;

function passphrase(file: string | undefined): string {
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new CliError('KEY_FILE', `cannot read --passphrase-file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    }
  }
  const env = process.env['COUPON_BUNDLE_PASSPHRASE'];
  if (env === undefined || env === '') throw new CliError('USAGE', 'missing --passphrase-file FILE (or $COUPON_BUNDLE_PASSPHRASE)');
  return env;
}

export async function run(argv: string[]): Promise<number> {
  const options = { ...ADMIN_OPTIONS, merchant: { type: 'string' }, branch: { type: 'string' }, out: { type: 'string' }, name: { type: 'string' }, 'passphrase-file': { type: 'string' } } as const;
  const args = parseCommand(argv, options, USAGE);
  if (!args) return 0;
  const out = args.required('out');
  const body = { merchantId: args.required('merchant'), branchId: args.required('branch'), passphrase: passphrase(args.str('passphrase-file')), ...(args.has('name') ? { name: args.str('name') } : {}) };
  const client = adminClient(args);
  // the file is claimed before the platform registers a terminal for it
  let fd: number;
  try {
    fd = openSync(out, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError('OUTPUT', `cannot write --out ${out}: ${code ?? String(err)}${code === 'EEXIST' ? ' (exists; choose another name)' : ''}`, { cause: err });
  }
  let bundle: { terminalId: string; platformId: string; merchantId: string; branchId: string };
  try {
    bundle = await client.call('POST', '/bundles', body);
    writeSync(fd, JSON.stringify(bundle, null, 2) + '\n');
  } catch (err) {
    closeSync(fd);
    unlinkSync(out);
    throw err;
  }
  closeSync(fd);
  const info = { terminalId: bundle.terminalId, platformId: bundle.platformId, merchantId: bundle.merchantId, branchId: bundle.branchId, file: out };
  process.stdout.write((args.flag('json') ? JSON.stringify(info) : `wrote ${out}: terminal ${bundle.terminalId} of ${bundle.merchantId}/${bundle.branchId}`) + '\n');
  return 0;
}
