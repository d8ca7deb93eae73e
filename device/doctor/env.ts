/** The real environment of `kiosk doctor`: this machine's files, commands, I2C bus and ledger. */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import type { KioskConfig } from '../config.js';
import { homePaths } from '../home.js';
import { openHomeLedgerReadOnly } from '../home-ledger.js';
import { LedgerError } from '../ledger/types.js';
import { silentLogger } from '../logger.js';
import type { CommandResult, DoctorEnv, FileInfo, I2cProbe, LedgerInspection } from './types.js';

export function realDoctorEnv(): DoctorEnv {
  return {
    stat,
    readFile: (p) => fs.readFile(p, 'utf8'),
    readdir: (p) => fs.readdir(p).catch(() => []),
    freeBytes: async (p) => {
      const s = await fs.statfs(p);
      return s.bavail * s.bsize;
    },
    run,
    openI2c,
    inspectLedger: async (home, config) => inspectLedger(home, config),
    groupName: async (gid) => {
      const text = await fs.readFile('/etc/group', 'utf8').catch(() => '');
      return text.split('\n').map((l) => l.split(':')).find((f) => f[2] === String(gid))?.[0];
    },
    currentUser: () => ({ name: os.userInfo().username, uid: process.getuid?.() ?? -1, gids: process.getgroups?.() ?? [] }),
    now: () => Date.now(),
  };
}

async function stat(p: string): Promise<FileInfo | undefined> {
  try {
    const link = await fs.lstat(p);
    const s = link.isSymbolicLink() ? await fs.stat(p).catch(() => link) : link;
    return { mode: s.mode, uid: s.uid, gid: s.gid, isDirectory: s.isDirectory(), isCharDevice: s.isCharacterDevice(), isSymlink: link.isSymbolicLink() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function run(cmd: string, args: readonly string[]): Promise<CommandResult | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') return resolve(undefined);
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function openI2c(bus: number): Promise<I2cProbe> {
  let mod: typeof import('i2c-bus');
  try {
    mod = await import('i2c-bus');
  } catch (err) {
    throw Object.assign(new Error(`the i2c-bus module cannot be loaded (${(err as Error).message})`), { code: 'I2C_MODULE_MISSING' });
  }
  const b = await mod.openPromisified(bus);
  return { scan: (address) => b.scan(address), close: () => b.close() };
}

/** Read-only, through the home's checks; the whole integrity check, however long it takes: doctor is not the counter. */
function inspectLedger(home: string, config: Readonly<KioskConfig>): LedgerInspection {
  let ledger;
  try {
    ledger = openHomeLedgerReadOnly(homePaths(home), config, { logger: silentLogger() });
  } catch (err) {
    const code = err instanceof LedgerError ? err.code : ((err as { code?: string }).code ?? 'LEDGER_OPEN_FAILED');
    return { state: 'unavailable', path: config.ledgerPath, code, message: (err as Error).message };
  }
  if (!ledger) return { state: 'none', path: config.ledgerPath };
  try {
    return { state: 'ok', path: ledger.file, id: ledger.identity()?.id ?? null, integrity: ledger.integrityCheck(), trustedTime: ledger.trustedTime() };
  } catch (err) {
    const code = err instanceof LedgerError ? err.code : 'LEDGER_OPEN_FAILED';
    return { state: 'unavailable', path: ledger.file, code, message: (err as Error).message };
  } finally {
    ledger.close();
  }
}
