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
import { ServiceNotifier, serviceStatus, systemdNotifySender } from './sd-notify.js';
import { unavailableLedger } from './unavailable-ledger.js';

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
}

export interface Service {
  kiosk: Kiosk;
  home: LoadedHome;
  logger: Logger;
  hardware: Hardware;
  /** systemd's readiness, watchdog and status (a no-op outside systemd) */
  notifier: ServiceNotifier;
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
  const notifier = new ServiceNotifier({ env: process.env, pid: process.pid, sender: systemdNotifySender(), status: () => serviceStatus(kiosk.state), logger });
  return { kiosk, home, logger, hardware, notifier };
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
  const { kiosk, logger, notifier } = service;
  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ why }, 'stopping');
      // STOPPING=1 goes out at once; the kiosk does not wait for systemd-notify
      await Promise.all([notifier.stop(), kiosk.stop()]);
    })();
    return stopping;
  };
  const signals = new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => void stop(sig).then(resolve);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await kiosk.start();
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
