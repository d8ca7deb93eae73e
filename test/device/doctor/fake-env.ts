/** A whole machine for `kiosk doctor` tests, as plain data a test can spoil one piece at a time. */
import type { KioskConfig } from '../../../device/config.js';
import type { CommandResult, DoctorEnv, FileInfo, I2cProbe, LedgerInspection, ServiceUser } from '../../../device/doctor/types.js';

export interface FakeFile extends FileInfo {
  content?: string;
}

const KIOSK = 1001;
export const GID = { kiosk: 1001, dialout: 20, i2c: 998, gpio: 997, root: 0 } as const;

export function dir(mode = 0o750, uid = KIOSK): FakeFile {
  return { mode: 0o40000 | mode, uid, gid: uid, isDirectory: true, isCharDevice: false };
}
export function file(content: string, mode = 0o640, uid = KIOSK): FakeFile {
  return { mode: 0o100000 | mode, uid, gid: uid, isDirectory: false, isCharDevice: false, content };
}
export function chardev(gid: number, mode = 0o660): FakeFile {
  return { mode: 0o20000 | mode, uid: 0, gid, isDirectory: false, isCharDevice: true };
}

export const GPIOINFO_V2 = `gpiochip0 - 54 lines:
\tline   2:\t"GPIO2"         \tinput
\tline  17:\t"GPIO17"        \tinput
\tline  22:\t"GPIO22"        \tinput
\tline  27:\t"GPIO27"        \tinput
gpiochip1 - 8 lines:
\tline   2:\t"PWR_LED_OFF"   \toutput active-low consumer="led1"
`;

const TRUST = { platforms: [{ id: 'P1', merchantId: 'M1', keys: [{ kid: '0011223344556677', alg: -8, publicKey: '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----' }] }] };

export const HEALTHY_CONFIG = {
  scanner: { driver: 'serial', serial: { path: '/dev/ttyACM0' } },
  display: { driver: 'ssd1306', ssd1306: { bus: 1, address: 0x3c } },
  indicator: { driver: 'gpio', gpio: { green: { chip: 'gpiochip0', offset: 17 }, red: { chip: 'gpiochip0', offset: 27 }, buzzer: { chip: 'gpiochip0', offset: 22 } } },
};

export class FakeDoctorEnv implements DoctorEnv {
  readonly files = new Map<string, FakeFile>([
    ['/h', dir(0o700)],
    ['/h/ledger.sqlite', file('', 0o600)],
    ['/h/config.json', file(JSON.stringify(HEALTHY_CONFIG))],
    ['/h/trust.json', file(JSON.stringify(TRUST))],
    ['/h/keys', dir(0o700)],
    ['/h/keys/m1.pem', file('-----BEGIN PRIVATE KEY-----', 0o600)],
    ['/dev/ttyACM0', chardev(GID.dialout)],
    ['/dev/i2c-1', chardev(GID.i2c)],
    ['/dev/gpiochip0', chardev(GID.gpio)],
  ]);
  readonly commands = new Map<string, CommandResult | undefined>([
    ['id -u kiosk', { code: 0, stdout: `${KIOSK}\n`, stderr: '' }],
    ['id -G kiosk', { code: 0, stdout: `${KIOSK} ${GID.dialout} ${GID.i2c} ${GID.gpio}\n`, stderr: '' }],
    ['gpioinfo', { code: 0, stdout: GPIOINFO_V2, stderr: '' }],
    ['timedatectl show -p NTPSynchronized --value', { code: 0, stdout: 'yes\n', stderr: '' }],
  ]);
  i2c: { answering: number[]; missingModule?: boolean } = { answering: [0x3c] };
  i2cOpened: number[] = [];
  /** the ledger inspection; `trusted` is its trusted time when it is ok */
  ledger: LedgerInspection = { state: 'ok', path: '/h/ledger.sqlite', id: '0123456789abcdef0123456789abcdef', integrity: 'ok', trustedTime: 0 };
  trusted = 1_700_000_000;
  free = 10 * 2 ** 30;
  clock = 1_800_000_000_000;

  async stat(p: string): Promise<FileInfo | undefined> {
    return this.files.get(p);
  }
  async readFile(p: string): Promise<string> {
    const f = this.files.get(p);
    if (f?.content === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return f.content;
  }
  async readdir(p: string): Promise<string[]> {
    const prefix = p.endsWith('/') ? p : `${p}/`;
    return [...this.files.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/')).map((k) => k.slice(prefix.length));
  }
  async freeBytes(): Promise<number> {
    return this.free;
  }
  async run(cmd: string, args: readonly string[]): Promise<CommandResult | undefined> {
    return this.commands.get([cmd, ...args].join(' '));
  }
  async openI2c(bus: number): Promise<I2cProbe> {
    if (this.i2c.missingModule) throw Object.assign(new Error('the i2c-bus module cannot be loaded'), { code: 'I2C_MODULE_MISSING' });
    this.i2cOpened.push(bus);
    return { scan: async (a) => this.i2c.answering.filter((x) => x === a), close: async () => undefined };
  }
  async inspectLedger(_home: string, _config: Readonly<KioskConfig>): Promise<LedgerInspection> {
    return this.ledger.state === 'ok' ? { ...this.ledger, trustedTime: this.trusted } : this.ledger;
  }
  async groupName(gid: number): Promise<string | undefined> {
    return Object.entries(GID).find(([, g]) => g === gid)?.[0];
  }
  currentUser(): ServiceUser {
    return { name: 'tech', uid: 1000, gids: [1000] };
  }
  now(): number {
    return this.clock;
  }
}
