/**
 * Part of the composition root (with main.ts): builds the USB export for the
 * service from the config and the home: the volume watcher (the mount table;
 * in a simulated kiosk without --usb-root, directories under HOME/usb-sim),
 * the exporter with the home's terminal signers, the idle-time maker of its
 * chunks, and the controller that drives the kiosk's screen.
 */
import path from 'node:path';
import type { Clock } from '../drivers/clock/port.js';
import { FakeVolumeWatcher } from '../drivers/volume/fake.js';
import { MountTableWatcher, systemdUmount } from '../drivers/volume/mount-table.js';
import type { VolumeWatcher } from '../drivers/volume/port.js';
import { ChunksAhead } from '../sync/export/chunks-ahead.js';
import { Exporter } from '../sync/export/exporter.js';
import { homeSigners } from '../sync/export/signer.js';
import { EXPORT_PHASES, type PhaseHook } from '../sync/export/types.js';
import { UsbExport, type ExportUi } from '../sync/export/usb-export.js';
import type { KioskConfig } from './config.js';
import type { Ledger } from './ledger/types.js';
import type { Logger } from './logger.js';

export interface UsbWiring {
  home: string;
  config: Readonly<KioskConfig>;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  ui: ExportUi;
  /** --usb-root: watch these instead of usb.roots, with the real watcher even when simulating */
  roots?: readonly string[];
  simulate?: boolean;
  watcher?: VolumeWatcher;
}

export function buildUsbExport(w: UsbWiring): UsbExport | undefined {
  const { usb } = w.config;
  if (!usb.enabled && w.roots === undefined && w.watcher === undefined) return undefined;
  const watcher = w.watcher ?? createWatcher(w);
  const hook = faultHook(process.env['KIOSK_FAULT_EXPORT'], w.logger);
  const signers = homeSigners(w.home);
  const exporter = new Exporter({
    ledger: w.ledger,
    signers,
    clock: w.clock,
    logger: w.logger,
    options: { maxBatchRecords: usb.maxBatchRecords },
    ...(hook ? { hook } : {}),
  });
  const ahead = new ChunksAhead({
    ledger: w.ledger,
    logger: w.logger,
    busy: () => exporter.exportUnderWay(),
    platform: (id) => signers(id).ok,
    options: { chunkRecords: exporter.chunkRecords, maxBatchRecords: usb.maxBatchRecords },
  });
  return new UsbExport({ watcher, exporter, ui: w.ui, config: usb, logger: w.logger, ahead });
}

function createWatcher(w: UsbWiring): VolumeWatcher {
  const { usb } = w.config;
  if (w.simulate && w.roots === undefined) return new FakeVolumeWatcher({ dir: path.join(w.home, 'usb-sim'), pollMs: usb.pollMs });
  return new MountTableWatcher({
    roots: w.roots ?? usb.roots,
    // the kiosk's own storage is never a stick, even when it is mounted under /mnt
    exclude: [w.home, path.dirname(w.config.ledgerPath)],
    pollMs: usb.pollMs,
    unmount: usb.unmount ? systemdUmount : null,
  });
}

/**
 * KIOSK_FAULT_EXPORT=<phase>: the process kills itself (SIGKILL, like a power
 * cut) the first time an export reaches that phase. For the crash tests; the
 * service unit never sets it.
 */
export function faultHook(value: string | undefined, logger: Logger): PhaseHook | undefined {
  if (!value) return undefined;
  if (!(EXPORT_PHASES as readonly string[]).includes(value)) throw new Error(`KIOSK_FAULT_EXPORT must be one of ${EXPORT_PHASES.join(', ')}, got ${JSON.stringify(value)}`);
  logger.warn({ phase: value }, 'fault injection: this process kills itself at that export phase');
  return (phase) => {
    if (phase === value) process.kill(process.pid, 'SIGKILL');
  };
}
