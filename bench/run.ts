/**
 * `npm run bench`: runs every benchmark section in one process, one after the
 * other, prints the figures and writes them to docs/benchmarks.md. Each section
 * measures its own baseline in the same run, so the ratios hold on any machine.
 *
 * A section is a module in bench/ exporting `title` and
 * `run(): Promise<string>` (markdown, usually a table with a ratio column).
 * `npm run bench -- coupon display` runs only the named sections.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';

const SECTIONS = ['coupon', 'pipeline', 'claims', 'display', 'hid', 'platform', 'sync', 'kiosk-drain', 'usb-export'] as const;

interface Section {
  title: string;
  run(): Promise<string>;
}

async function main(argv: string[]): Promise<void> {
  const wanted = argv.length > 0 ? argv : [...SECTIONS];
  const parts: string[] = [];
  for (const name of wanted) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown bench section '${name}'`);
    const mod = (await import(`./${name}.js`)) as Section;
    process.stderr.write(`bench: ${mod.title}...\n`);
    const md = await mod.run();
    process.stdout.write(`\n## ${mod.title}\n\n${md}\n`);
    parts.push(`## ${mod.title}\n\n${md}\n`);
  }
  if (argv.length === 0) writeFileSync('docs/benchmarks.md', header() + parts.join('\n'));
}

function header(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    '# Benchmarks',
    '',
    'Reproduce with `npm run bench` (writes this file; `npm run bench -- coupon` runs one section).',
    'Figures are from one run on the machine below; compare the ratios, which are taken against a',
    'baseline measured in the same run, rather than the absolute numbers.',
    '',
    `Machine: ${os.cpus().length} × ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '',
  ].join('\n');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
