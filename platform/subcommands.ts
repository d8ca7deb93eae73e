/** `coupon-platform <command> <subcommand> [options]`: dispatch to one function per subcommand. */
import { CliError } from './cli-error.js';

export type Subcommands = Record<string, { summary: string; run: (argv: string[]) => Promise<number> }>;

export async function dispatch(command: string, table: Subcommands, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const list = Object.entries(table).map(([n, s]) => `  ${command} ${n.padEnd(10)} ${s.summary}`).join('\n');
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`usage:\n${list}\n\nRun \`coupon-platform ${command} <subcommand> --help\` for its options.\n`);
    return name === undefined ? 2 : 0;
  }
  const sub = table[name];
  if (!sub) throw new CliError('USAGE', `unknown subcommand '${command} ${name}'; one of:\n${list}`);
  return sub.run(rest);
}
