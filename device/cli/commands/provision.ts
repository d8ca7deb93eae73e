/**
 * `kiosk provision <subcommand>`: the technician's key flows. Each
 * subcommand lives in ../provision/ and is loaded when it runs.
 */
import { EXIT } from '../cli-util.js';

export const summary = 'enroll with a platform, import a bundle or PEM keys, show, refresh or remove platforms';

const SUBCOMMANDS = {
  enroll: 'enroll this kiosk with a platform service (a token, or the setup QR)',
  import: 'import an offline provisioning bundle, or a platform key and a merchant key from PEM files',
  status: 'the platforms, their ids, kids, fingerprints, validity and trust bundle age',
  refresh: "fetch each platform's signed terminal state: trust updates, new merchant keys, disabled",
  remove: 'remove one enrolled platform',
} as const;
type Sub = keyof typeof SUBCOMMANDS;

const USAGE = `usage: kiosk provision <subcommand> [options]

${Object.entries(SUBCOMMANDS).map(([k, v]) => `  ${k.padEnd(8)} ${v}`).join('\n')}

Run \`kiosk provision <subcommand> --help\` for its options.`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!(sub in SUBCOMMANDS)) {
    process.stderr.write(`kiosk provision: unknown subcommand '${sub}'\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const mod = (await import(`../provision/${sub as Sub}.js`)) as { run(argv: string[]): Promise<number> };
  return mod.run(rest);
}
