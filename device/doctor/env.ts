/** The real environment of `kiosk doctor`: this machine's files, commands, I2C bus and ledger. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import { openLedger } from '../ledger/index.js';
import { silentLogger } from '../logger.js';
import type { CommandResult, DoctorEnv, FileInfo, I2cProbe } from './types.js';

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
    trustedTime: async (p) => {
      if (!existsSync(p)) return undefined;
      const ledger = openLedger(p, { readonly: true, logger: silentLogger() });
      try {
        return ledger.trustedTime();
      } finally {
        ledger.close();
      }
    },
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
    const s = await fs.stat(p);
    return { mode: s.mode, uid: s.uid, gid: s.gid, isDirectory: s.isDirectory(), isCharDevice: s.isCharacterDevice() };
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
