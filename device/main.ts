/**
 * The composition root: the only place that builds the logger, the ledger,
 * the keyring, the clock and the hardware, and wires them into a Kiosk.
 * Everything below receives its dependencies.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { systemClock, type Clock } from '../drivers/clock/port.js';
import type { KioskConfig } from './config.js';
import { createHardware, type DisplayMode, type Hardware } from './hardware.js';
import { loadHome, type LoadedHome } from './home.js';
import { Kiosk } from './kiosk.js';
import { openLedger } from './ledger/sqlite-ledger.js';
import { LedgerError, type Ledger } from './ledger/types.js';
import { createLogger, type Logger } from './logger.js';
import { Redeemer } from './pipeline.js';
import { unavailableLedger } from './unavailable-ledger.js';
import type { VolumeWatcher } from '../drivers/volume/port.js';
import type { UsbExport } from '../sync/export/usb-export.js';
import { buildUsbExport } from './main-usb.js';

export interface ServiceOptions {
  home: string;
  displayMode?: DisplayMode;
  /** --simulate: stdin scanner, terminal screen, log indicator, whatever the config says */
  simulate?: boolean;
  /** command-line overrides, in config.json's shape, validated with it */
  overrides?: Record<string, unknown>;
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
}

export interface Service {
  kiosk: Kiosk;
  home: LoadedHome;
  logger: Logger;
  hardware: Hardware;
  /** undefined when usb.enabled is false */
  usb?: UsbExport;
}

/** Build everything from the home directory; nothing is started yet. */
export function buildService(opts: ServiceOptions): Service {
  const logger = opts.logger ?? createLogger();
  const home = loadHome(opts.home, opts.overrides ? { overrides: opts.overrides } : {});
  const { config } = home;
  const clock = opts.clock ?? systemClock;
  const ledger = openLedgerOrFault(config, logger);
  const stdout = opts.stdout ?? process.stdout;
  const hardware = createHardware(config, {
    logger,
    input: opts.input ?? process.stdin,
    screenOut: opts.json ? (opts.stderr ?? process.stderr) : stdout,
    ...(opts.displayMode ? { displayMode: opts.displayMode } : {}),
    ...(opts.simulate ? { simulate: true } : {}),
    ...(opts.hardware ? { injected: opts.hardware } : {}),
  });
  const redeemer = new Redeemer({ keyring: home.keyring, ledger, clock, logger, terminalId: config.terminalId });
  const kiosk = new Kiosk({ ...hardware, redeemer, ledger, clock, logger, config });
  const usb = buildUsbExport({
    home: home.paths.home, config, ledger, clock, logger, ui: kiosk,
    ...(opts.usbRoots ? { roots: opts.usbRoots } : {}),
    ...(opts.simulate ? { simulate: true } : {}),
    ...(opts.volumes ? { watcher: opts.volumes } : {}),
  });
  return { kiosk, home, logger, hardware, ...(usb ? { usb } : {}) };
}

/**
 * A ledger that cannot be opened does not stop the service: the kiosk starts,
 * shows the fault and answers every scan with it (no ACCEPTED is possible).
 */
export function openLedgerOrFault(config: Readonly<KioskConfig>, logger: Logger): Ledger {
  const marker = `${config.ledgerPath}.created`;
  try {
    const ledger = openLedger(config.ledgerPath, { logger, mustExist: existsSync(marker) });
    if (!existsSync(marker)) writeMarker(marker, logger);
    return ledger;
  } catch (err) {
    if (err instanceof LedgerError && err.code === 'LEDGER_OPEN_FAILED' && existsSync(marker) && !existsSync(config.ledgerPath)) {
      err = lostLedger(config.ledgerPath, marker, err);
    }
    if (!(err instanceof LedgerError)) throw err;
    logger.error({ err: { code: err.code, message: err.message }, path: config.ledgerPath }, 'ledger unavailable');
    return unavailableLedger(err);
  }
}

/**
 * Start the service and run until SIGTERM/SIGINT, or, with `endOfInput`, until
 * that stream ends and every scan read from it has its verdict (the simulated
 * scanner on a pipe has no replug); returns the exit status.
 */
export async function runService(service: Service, endOfInput?: NodeJS.ReadableStream): Promise<number> {
  const { kiosk, logger, usb } = service;
  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ why }, 'stopping');
      await usb?.stop();
      await kiosk.stop();
    })();
    return stopping;
  };
  const signals = new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => void stop(sig).then(resolve);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await kiosk.start();
  await startUsb(service);
  logger.info({ terminalId: service.home.config.terminalId, home: service.home.paths.home }, 'kiosk ready');
  const ended = endOfInput ? inputEnded(endOfInput).then(() => kiosk.drained()).then(() => stop('input ended')) : new Promise<void>(() => {});
  // a service runs until told to stop, even when no device handle keeps the event loop busy
  const keepAlive = setInterval(() => {}, 3_600_000);
  await Promise.race([signals, ended]).finally(() => clearInterval(keepAlive));
  return 0;
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

/**
 * The ledger is what stops a coupon being used twice: a kiosk that has had one
 * must not quietly start a new, empty one because the file vanished (a wiped
 * SD card, a wrong --home). The marker next to it says a ledger was created.
 */
function lostLedger(file: string, marker: string, cause: LedgerError): LedgerError {
  const since = readFileSync(marker, 'utf8').trim();
  return new LedgerError(
    'LEDGER_OPEN_FAILED',
    `ledger ${file} is missing, but this kiosk has had one since ${since}: restore it from a backup; ` +
      `only if it is truly lost, delete ${marker} to start an empty ledger (coupons redeemed before could then be accepted again)`,
    { cause },
  );
}

function writeMarker(marker: string, logger: Logger): void {
  try {
    writeFileSync(marker, `${new Date().toISOString()}\n`, { mode: 0o644 });
  } catch (err) {
    logger.warn({ err: String(err), marker }, 'cannot write the ledger marker: a lost ledger would not be noticed');
  }
}
