#!/usr/bin/env node
/**
 * `kiosk <command> ...`: one small dispatcher. Each command lives in
 * ./commands/<command>.ts and exports `run(argv: string[]): Promise<number>`
 * (the exit status) and `summary` (one line for the help text). Commands are
 * imported lazily so that `kiosk verify` never loads the native hardware modules.
 */
const COMMANDS = ['start', 'redeem', 'verify', 'status', 'ledger', 'clock', 'export', 'sync', 'reverse', 'provision', 'doctor'] as const;
type CommandName = (typeof COMMANDS)[number];

interface CommandModule {
  run(argv: string[]): Promise<number>;
  summary: string;
}

async function load(name: CommandName): Promise<CommandModule> {
  return (await import(`./commands/${name}.js`)) as CommandModule;
}

async function help(): Promise<void> {
  const lines = ['usage: kiosk <command> [options]', '', 'commands:'];
  for (const name of COMMANDS) {
    try {
      lines.push(`  ${name.padEnd(10)} ${(await load(name)).summary}`);
    } catch {
      // a command that is not built yet is simply not listed
    }
  }
  lines.push('', 'Run `kiosk <command> --help` for its options.');
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await help();
    return name ? 0 : 2;
  }
  if (!(COMMANDS as readonly string[]).includes(name)) {
    process.stderr.write(`kiosk: unknown command '${name}'\n`);
    await help();
    return 2;
  }
  return (await load(name as CommandName)).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`kiosk: ${e.code ? e.code + ': ' : ''}${e.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
