#!/usr/bin/env node
/**
 * `npm run demo`: the whole patent flow in one command, on this machine, as
 * a normal user. The platform service (PGlite) and two enrolled kiosks run as
 * real processes in a temporary folder; coupons go from the platform's QR
 * PNGs through jsQR into the kiosks' scanner drivers; the results come back
 * by network and by USB batch. Prints one row per step, expected and actual;
 * exits 0 only when every row matched.
 *
 *   node dist/demo/run.js [--keep]
 *     --keep   keep the work folder (homes, logs, QR PNGs, the exported stick) and print its path
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runFlow } from './flow.js';
import { Report, renderTable } from './table.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('usage: node dist/demo/run.js [--keep]   (npm run demo)\n');
    return 0;
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'coupon-demo-'));
  const report = new Report((row, n) => process.stderr.write(`${String(n).padStart(3)} ${row.ok ? 'ok  ' : 'FAIL'} ${row.step}\n`));
  process.stderr.write(`coupon-kiosk demo: working in ${work} (the first start of the embedded database takes a few seconds)\n`);
  try {
    await runFlow(work, report);
  } catch (err) {
    report.failed('the demo itself', 'runs to the end', err);
  }
  process.stdout.write('\n' + renderTable(report.rows));
  const keep = values.keep === true || !report.allOk;
  if (keep) process.stdout.write(`\nlogs, homes, QR codes and the exported stick are in ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
  return report.allOk ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`demo: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
