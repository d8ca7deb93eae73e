/** `kiosk export`: the USB export by hand, for a technician: every redemption not yet exported, onto PATH. */
import { existsSync, statSync } from 'node:fs';
import { systemClock } from '../../../drivers/clock/port.js';
import { Exporter } from '../../../sync/export/exporter.js';
import { homeSigners } from '../../../sync/export/signer.js';
import { checkStick } from '../../../sync/export/stick-check.js';
import { doneFields, runWithEvents, type EmitExport } from '../../../sync/export/usb-export.js';
import { loadHome, resolveHome } from '../../home.js';
import { openLedger } from '../../ledger/sqlite-ledger.js';
import { createLogger } from '../../logger.js';
import { faultHook } from '../../main-usb.js';
import { EXIT, parseCommand, printJson, required, str } from '../cli-util.js';

export const summary = 'export every redemption not yet exported to a folder or mounted stick, as signed batches';

const USAGE = `usage: kiosk export [--home DIR] --to PATH [--json]

  --to PATH   the stick's mount point (or any folder); batches go to PATH/<usb.folder>/<platform>/<terminal>/,
              the folder is created when missing (no marker needed: you named the place)
  --json      one {"event":"export","state":"started|progress|skipped|interrupted|done",...} line per step
Each platform's redemptions are signed with the terminal key enrollment left in HOME/platforms/<id>/;
a platform without one is skipped (its redemptions stay in the ledger). Exits 1 when the export did
not finish; nothing is marked exported that was not read back from PATH.`;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const req = required(parsed, ['to'], USAGE);
  if (!req) return EXIT.usage;
  const json = parsed.values['json'] === true;
  const to = req['to'] as string;
  if (!existsSync(to) || !statSync(to).isDirectory()) {
    process.stderr.write(`kiosk export: ${to} is not a directory (mount the stick first)\n`);
    return EXIT.failed;
  }
  const home = loadHome(resolveHome(str(parsed, 'home')));
  const logger = createLogger({ level: process.env['KIOSK_LOG_LEVEL'] ?? 'warn' });
  const ledger = openLedger(home.config.ledgerPath, { logger, mustExist: true });
  try {
    const emit: EmitExport = (state, fields) => (json ? printJson({ event: 'export', state, ...fields }) : process.stderr.write(human(state, fields)));
    const stick = await checkStick({ mountPoint: to, readOnly: false }, { anyStick: true, folder: home.config.usb.folder });
    if (!stick.ok) {
      emit('skipped', { volume: to, reason: stick.code, message: stick.message });
      return EXIT.failed;
    }
    const hook = faultHook(process.env['KIOSK_FAULT_EXPORT'], logger);
    const exporter = new Exporter({ ledger, signers: homeSigners(home.paths.home), clock: systemClock, logger, options: { maxBatchRecords: home.config.usb.maxBatchRecords }, ...(hook ? { hook } : {}) });
    const dev = statSync(to).dev;
    const target = { root: to, dev, stillThere: () => existsSync(to) && statSync(to).dev === dev };
    const r = await runWithEvents(exporter, target, stick, emit);
    if (r.state !== 'done') return EXIT.failed;
    emit('done', doneFields(to, r));
    return EXIT.ok;
  } finally {
    ledger.close();
  }
}

function human(state: string, f: Record<string, unknown>): string {
  switch (state) {
    case 'started':
      return `exporting ${String(f['total'])} redemptions to ${String(f['volume'])}\n`;
    case 'progress':
      return `  ${String(f['done'])} / ${String(f['total'])}\n`;
    case 'done':
      return `done: ${String(f['count'])} redemptions; files:\n${(f['files'] as string[]).map((x) => `  ${x}\n`).join('')}`;
    default:
      return `${state}: ${String(f['reason'])}${f['platformId'] ? ` (${String(f['platformId'])})` : ''}: ${String(f['message'])}\n`;
  }
}
