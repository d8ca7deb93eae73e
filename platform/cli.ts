#!/usr/bin/env node
/**
 * `coupon-platform <command>`: the reference platform's issuing tools
 * (generate keys, issue coupons as text and QR). Each command is a module in
 * ./commands exporting `run(argv)` and `summary`, loaded lazily.
 */
import { CliError, EXIT_USAGE } from './cli-error.js';

interface CommandModule {
  run(argv: string[]): Promise<number>;
  summary: string;
}

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  keygen: () => import('./commands/keygen.js'),
  issue: () => import('./commands/issue.js'),
  batch: () => import('./commands/batch.js'),
  serve: () => import('./commands/serve.js'),
  merchant: () => import('./commands/merchant.js'),
  branch: () => import('./commands/branch.js'),
  'enroll-token': () => import('./commands/enroll-token.js'),
  revoke: () => import('./commands/revoke.js'),
  keys: () => import('./commands/keys.js'),
  terminal: () => import('./commands/terminal.js'),
  redemptions: () => import('./commands/redemptions.js'),
  conflicts: () => import('./commands/conflicts.js'),
  bundle: () => import('./commands/bundle.js'),
  'import-batch': () => import('./commands/import-batch.js'),
};

async function help(): Promise<void> {
  const lines = ['usage: coupon-platform <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(13)} ${(await load()).summary}`);
  lines.push('', 'Run `coupon-platform <command> --help` for its options.');
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await help();
    return name ? 0 : EXIT_USAGE;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`coupon-platform: unknown command '${name}'\n`);
    await help();
    return EXIT_USAGE;
  }
  return (await load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`coupon-platform: ${e.code ? e.code + ': ' : ''}${e.message ?? String(err)}\n`);
    // a mistake at the command line exits 2; a refusal by the service or any failure exits 1
    process.exitCode = err instanceof CliError ? EXIT_USAGE : 1;
  },
);
