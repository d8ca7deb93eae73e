/**
 * The composition root: the only place that builds the logger, the ledger,
 * the keyring, the clock and the hardware, and wires them into a Kiosk.
 * Everything below receives its dependencies.
 */
import { systemClock, type Clock } from '../drivers/clock/port.js';
import { loadHomeKeys } from '../provisioning/home-keys.js';
import { KeyringReloader } from '../provisioning/reloader.js';
import { createHardware, type DisplayMode, type Hardware } from './hardware.js';
import { loadHome, type LoadedHome } from './home.js';
import { openHomeLedger } from './home-ledger.js';
import { Kiosk } from './kiosk.js';
import { KeyringHolder } from './keyring-holder.js';
import { createLogger, type Logger } from './logger.js';
import { Redeemer, type ClaimDeps } from './pipeline.js';
import { buildClaims } from './main-claims.js';
import type { EnrolledPlatform } from '../provisioning/store/load.js';
import { ReopeningLedger } from './reopening-ledger.js';
import { ServiceNotifier, serviceStatus, systemdNotifySender } from './sd-notify.js';
import type { VolumeWatcher } from '../drivers/volume/port.js';
import type { UsbExport } from '../sync/export/usb-export.js';
import { buildUsbExport } from './main-usb.js';
import { SyncWorker } from '../sync/worker.js';
import type { PlatformClientOptions } from '../sync/transport/client.js';
import { raiseTrustedTime } from './trusted-time.js';
import type { Ledger } from './ledger/types.js';
import type { KioskConfig } from './config.js';
import type { UplinkStatus } from './kiosk.js';

export interface ServiceOptions {
  home: string;
  displayMode?: DisplayMode;
  /** --simulate: stdin scanner, terminal screen, log indicator, whatever the config says */
  simulate?: boolean;
  /** command-line overrides, in config.json's shape, validated with it */
  overrides?: Record<string, unknown>;
  /** --hid-reports: the HID scanner reads raw reports from this file or FIFO, '-' for `input` */
  hidReports?: string;
  /** stdout carries JSON events: draw the terminal screen on stderr */
  json?: boolean;
  input?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  logger?: Logger;
  clock?: Clock;
  hardware?: Partial<Hardware>;
  /** USB export: --usb-root (overrides usb.roots), or a watcher a test provides */
  usbRoots?: readonly string[];
  volumes?: VolumeWatcher;
  /** instead of the HTTP claimer and the enrolled merchants' policies (tests, the simulator) */
  claims?: ClaimDeps;
  /** the sync worker's transport (tests: a fault proxy's exchange) */
  syncTransport?: Partial<PlatformClientOptions>;
}

export interface Service {
  kiosk: Kiosk;
  home: LoadedHome;
  logger: Logger;
  hardware: Hardware;
  /** systemd's readiness, watchdog and status (a no-op outside systemd) */
  notifier: ServiceNotifier;
  /** the keys the pipeline reads per scan, legacy and enrolled platforms */
  keys: KeyringHolder;
  /** reloads `keys` when the key store changes (another process, SIGHUP, or `reload()` in-process) */
  reloader: KeyringReloader;
  /** undefined when usb.enabled is false */
  usb?: UsbExport;
  /** online claims (claim modes): closed when the service stops */
  claims: ClaimDeps;
  /** undefined when sync.enabled is false */
  sync?: SyncWorker;
}

/** Build everything from the home directory; nothing is started yet. */
export function buildService(opts: ServiceOptions): Service {
  const logger = opts.logger ?? createLogger();
  const home = loadHome(opts.home, opts.overrides ? { overrides: opts.overrides } : {});
  const { config } = home;
  const clock = opts.clock ?? systemClock;
  const ledger = openLedgerOrFault(home, logger);
  const stdout = opts.stdout ?? process.stdout;
  const hardware = createHardware(config, {
    logger,
    input: opts.input ?? process.stdin,
    screenOut: opts.json ? (opts.stderr ?? process.stderr) : stdout,
    ...(opts.displayMode ? { displayMode: opts.displayMode } : {}),
    ...(opts.simulate ? { simulate: true } : {}),
    ...(opts.hidReports ? { hidReports: opts.hidReports } : {}),
    ...(opts.hardware ? { injected: opts.hardware } : {}),
  });
  // the enrolled platforms of the newest keys loaded: the claimer's endpoints and each merchant's claim mode follow a reload
  let enrolled: readonly EnrolledPlatform[] = [];
  const load = () => {
    const loaded = loadHomeKeys(home.paths.home);
    enrolled = loaded.enrolled;
    return loaded.snapshot;
  };
  const keys = new KeyringHolder(load());
  const reloader = new KeyringReloader({ home: home.paths.home, holder: keys, load, logger });
  const claims = opts.claims ?? buildClaims({ platforms: () => enrolled, config: config.claims, logger });
  const redeemer = new Redeemer({ keys, ledger, clock, logger, terminalId: config.terminalId, claims });
  const sync = buildSync(home.paths.home, config, ledger, clock, logger, opts.syncTransport);
  const kiosk = new Kiosk({ ...hardware, redeemer, keys, ledger, clock, logger, config, ...(sync ? { uplink: { status: () => uplinkStatus(sync) } } : {}) });
  const notifier = new ServiceNotifier({ env: process.env, pid: process.pid, sender: systemdNotifySender(), status: () => serviceStatus(kiosk.state), logger });
  const usb = buildUsbExport({
    home: home.paths.home, config, ledger, clock, logger, ui: kiosk,
    ...(opts.usbRoots ? { roots: opts.usbRoots } : {}),
    ...(opts.simulate ? { simulate: true } : {}),
    ...(opts.volumes ? { watcher: opts.volumes } : {}),
  });
  return { kiosk, home, logger, hardware, notifier, keys, reloader, claims, ...(usb ? { usb } : {}), ...(sync ? { sync } : {}) };
}

function buildSync(home: string, config: Readonly<KioskConfig>, ledger: Ledger, clock: Clock, logger: Logger, transport?: Partial<PlatformClientOptions>): SyncWorker | undefined {
  if (!config.sync.enabled) return undefined;
  const raiseTime = (t: number, source: string): number => raiseTrustedTime({ ledger, clock }, t, source);
  return new SyncWorker({ home, ledger, config: config.sync, logger, now: () => clock.now(), raiseTime, ...(transport ? { transport } : {}) });
}

/** The status line's view of every platform: online if any is, the freshest sync, all conflicts. */
function uplinkStatus(sync: SyncWorker): UplinkStatus {
  const all = sync.status();
  if (all.length === 0) return { online: null, sinceSyncS: null, conflicts: 0 };
  const ages = all.map((s) => s.sinceSyncS).filter((a): a is number => a !== null);
  return {
    online: all.some((s) => s.online === true) ? true : all.every((s) => s.online === null) ? null : false,
    sinceSyncS: ages.length > 0 ? Math.min(...ages) : null,
    conflicts: all.reduce((n, s) => n + s.conflicts, 0),
  };
}

const RETRY_BUSY_TIMEOUT_MS = 200;

/**
 * A ledger that cannot be opened does not stop the service: the kiosk starts,
 * shows the fault, answers every scan with it (no ACCEPTED is possible), and
 * opens the ledger as soon as it can (device/reopening-ledger.ts).
 */
export function openLedgerOrFault(home: Pick<LoadedHome, 'paths' | 'config'>, logger: Logger): ReopeningLedger {
  // a retry must not hold the scans up for seconds while another process keeps the lock
  const open = (retry: boolean) => openHomeLedger(home.paths, home.config, { logger, ...(retry ? { openBusyTimeoutMs: RETRY_BUSY_TIMEOUT_MS } : {}) });
  const ledger = new ReopeningLedger(open, { logger });
  ledger.connect();
  return ledger;
}

/**
 * Start the service and run until SIGTERM/SIGINT, or, with `endOfInput`, until
 * that stream ends and every scan read from it has its verdict (the simulated
 * scanner on a pipe has no replug); returns the exit status.
 */
export async function runService(service: Service, endOfInput?: NodeJS.ReadableStream): Promise<number> {
  const { kiosk, logger, notifier, reloader, usb, sync } = service;
  let stopping: Promise<void> | undefined;
  const onHangUp = (): void => void reloader.reload('SIGHUP');
  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ why }, 'stopping');
      reloader.stop();
      process.off('SIGHUP', onHangUp);
      await usb?.stop();
      await sync?.stop();
      // STOPPING=1 goes out at once; the kiosk does not wait for systemd-notify
      await Promise.all([notifier.stop(), kiosk.stop()]);
      await service.claims.claimer.close();
    })();
    return stopping;
  };
  const signals = new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => void stop(sig).then(resolve);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await kiosk.start();
  reloader.start();
  process.on('SIGHUP', onHangUp);
  await startUsb(service);
  startSync(service);
  logger.info({ terminalId: service.home.config.terminalId, home: service.home.paths.home }, 'kiosk ready');
  kiosk.on('state', () => notifier.refresh());
  kiosk.on('verdict', () => notifier.refresh());
  notifier.start();
  const ended = endOfInput ? inputEnded(endOfInput).then(() => kiosk.drained()).then(() => stop('input ended')) : new Promise<void>(() => {});
  // a service runs until told to stop, even when no device handle keeps the event loop busy
  const keepAlive = setInterval(() => {}, 3_600_000);
  await Promise.race([signals, ended]).finally(() => clearInterval(keepAlive));
  return 0;
}

/** Uploads start at once and after every verdict; a key store change (enrolled, removed, trust update) reaches the links. */
function startSync(service: Service): void {
  const { sync, kiosk, keys } = service;
  if (!sync) return;
  sync.start();
  kiosk.on('verdict', () => sync.wake());
  keys.on('change', () => sync.refresh());
  sync.on('status', () => kiosk.syncChanged());
}

/** A kiosk that cannot watch for sticks still redeems: the problem is logged, exports stay possible by hand. */
async function startUsb(service: Service): Promise<void> {
  try {
    await service.usb?.start();
  } catch (err) {
    service.logger.error({ err: (err as Error).message }, 'USB export unavailable: cannot watch the mount table');
  }
}

function inputEnded(input: NodeJS.ReadableStream): Promise<void> {
  // a macrotask later, so the scanner's own 'end' handler has flushed the last line first
  return new Promise((resolve) => input.once('end', () => setImmediate(resolve)));
}
