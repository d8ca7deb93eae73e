/**
 * `kiosk doctor`: each check is a small function over an injected environment
 * (file system, commands, I2C), so tests run with a temp home and fakes and a
 * technician gets every finding in one run, each with the fix.
 */
import type { KioskConfig } from '../config.js';

export type Status = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** stable, dotted: "keys.files", "gpio.lines", ... */
  id: string;
  status: Status;
  message: string;
  /** what to do about it (omitted when ok) */
  fix?: string;
}

export interface FileInfo {
  mode: number;
  uid: number;
  gid: number;
  isDirectory: boolean;
  isCharDevice: boolean;
  /** the path itself is a symlink (the other fields describe its target) */
  isSymlink?: boolean;
}

/** The account the kiosk service runs as; permissions are judged for it, not for whoever runs doctor. */
export interface ServiceUser {
  name: string;
  uid: number;
  gids: number[];
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An open I2C bus, just enough to ask whether an address answers. */
export interface I2cProbe {
  /** the addresses that answered, like i2cdetect (quick write or read byte) */
  scan(address: number): Promise<number[]>;
  close(): Promise<void>;
}

export interface DoctorEnv {
  /** undefined when the path does not exist */
  stat(p: string): Promise<FileInfo | undefined>;
  readFile(p: string): Promise<string>;
  /** [] when the directory does not exist */
  readdir(p: string): Promise<string[]>;
  /** bytes available to unprivileged users on p's filesystem */
  freeBytes(p: string): Promise<number>;
  /** undefined when the command is not installed */
  run(cmd: string, args: readonly string[]): Promise<CommandResult | undefined>;
  /** throws an error with code I2C_MODULE_MISSING when i2c-bus cannot be loaded */
  openI2c(bus: number): Promise<I2cProbe>;
  /** the home's ledger, opened read-only through the home's checks (device/home-ledger.ts) */
  inspectLedger(home: string, config: Readonly<KioskConfig>): Promise<LedgerInspection>;
  groupName(gid: number): Promise<string | undefined>;
  /** the account running doctor, when the service user does not exist */
  currentUser(): ServiceUser;
  /** Unix ms */
  now(): number;
}

export type LedgerInspection =
  /** the home never had a ledger: the service creates it at its first start */
  | { state: 'none'; path: string }
  /** `integrity` is 'ok' or the problems PRAGMA integrity_check found; trustedTime in Unix s */
  | { state: 'ok'; path: string; id: string | null; integrity: string; trustedTime: number }
  /** lost, another kiosk's, outside the home, unreadable: `code` is the LedgerError code */
  | { state: 'unavailable'; path: string; code: string; message: string };

export interface DoctorContext {
  env: DoctorEnv;
  home: string;
  user: ServiceUser;
  /** undefined when config.json is invalid: device checks are then skipped */
  config: Readonly<KioskConfig> | undefined;
}

export const ok = (id: string, message: string): CheckResult => ({ id, status: 'ok', message });
export const warn = (id: string, message: string, fix: string): CheckResult => ({ id, status: 'warn', message, fix });
export const fail = (id: string, message: string, fix: string): CheckResult => ({ id, status: 'fail', message, fix });

/** Whether `user` may read (and write) a file, from its mode bits; root may do anything. */
export function canUse(info: FileInfo, user: ServiceUser, write: boolean): boolean {
  if (user.uid === 0) return true;
  const bits = info.uid === user.uid ? (info.mode >> 6) & 7 : user.gids.includes(info.gid) ? (info.mode >> 3) & 7 : info.mode & 7;
  const need = write ? 6 : 4;
  return (bits & need) === need;
}

export function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

/** Findings about private files: what is wrong, and the command that fixes each. */
export interface Findings {
  problems: string[];
  fixes: string[];
}

/**
 * A key file or its folder must be a real file of the service user that
 * nobody else can read (the rule the service enforces: device/merchant-keys.ts).
 */
export function judgePrivate(p: string, f: FileInfo, want: number, user: ServiceUser, out: Findings): void {
  if (f.isSymlink) {
    out.problems.push(`${p} is a symlink`);
    out.fixes.push(`cp --remove-destination -a "$(readlink -f ${p})" ${p}`);
  }
  if ((f.mode & 0o077) === 0 && f.uid === user.uid) return;
  out.problems.push(`${p} is mode ${octal(f.mode)} owned by uid ${f.uid}`);
  out.fixes.push(`chown ${user.name} ${p} && chmod ${want.toString(8)} ${p}`);
}
