/**
 * The kiosk's USB export: a stick is mounted → is it one to write to? →
 * export → "safe to remove" (and unmount where allowed), with the manager's
 * screens on the way and one JSON-able event per step. One stick at a time;
 * a verdict is never held up (the exporter yields between bounded steps,
 * and the kiosk shows the export only when no verdict is on screen).
 */
import { EventEmitter } from 'node:events';
import type { UsbConfig } from '../../device/config-usb.js';
import type { Logger } from '../../device/logger.js';
import type { ActivityScreen } from '../../device/screens.js';
import type { Signal } from '../../drivers/indicator/port.js';
import type { Volume, VolumeWatcher } from '../../drivers/volume/port.js';
import type { ExportErrorCode } from './errors.js';
import type { Exporter, ExportRunResult } from './exporter.js';
import type { ChunksAhead } from './chunks-ahead.js';
import { checkStick } from './stick-check.js';
import type { StickTarget } from './stick-files.js';
import type { SkippedPlatform } from './types.js';

/** What the manager sees: the kiosk's setActivity. */
export interface ExportUi {
  setActivity(screen: ActivityScreen | undefined, signal?: Signal): void;
}

/** `{"event":"export","state":…}` lines of `kiosk start --json` and `kiosk export --json`. */
export type ExportEvent = { event: 'export'; state: 'started' | 'progress' | 'done' | 'interrupted' | 'skipped' } & Record<string, unknown>;

export interface UsbExportDeps {
  watcher: VolumeWatcher;
  exporter: Exporter;
  ui: ExportUi;
  config: Pick<UsbConfig, 'anyStick' | 'folder' | 'unmount' | 'messageMs'>;
  logger: Logger;
  /** makes the next export's chunks in idle time; started and stopped with this */
  ahead?: ChunksAhead;
}

/** The screen for an export that did not finish: the records are all still in the ledger. */
export function failureScreen(code: ExportErrorCode): ActivityScreen {
  if (code === 'USB_REMOVED' || code === 'USB_IO_ERROR') return { kind: 'message', message: 'export-interrupted' };
  if (code === 'USB_FULL') return { kind: 'message', message: 'usb-full' };
  if (code === 'USB_READ_ONLY') return { kind: 'message', message: 'usb-read-only' };
  if (code === 'NO_MARKER') return { kind: 'message', message: 'usb-not-marked' };
  return { kind: 'message', message: 'export-failed', detail: code };
}

export class UsbExport extends EventEmitter<{ export: [event: ExportEvent] }> {
  private readonly log: Logger;
  private queue: Promise<void> = Promise.resolve();
  private readonly gone = new Set<string>();
  /** the volume whose outcome is on screen, the timer that clears it, and whether pulling the stick clears it too */
  private showing: { id: string; timer: NodeJS.Timeout; clearOnRemoval: boolean } | undefined;
  private running = false;
  private readonly onAdded = (v: Volume): void => this.enqueue(v);
  private readonly onRemoved = (v: Volume): void => this.removed(v);

  constructor(private readonly deps: UsbExportDeps) {
    super();
    this.log = deps.logger.child({ module: 'usb-export' });
  }

  async start(): Promise<void> {
    this.running = true;
    this.deps.watcher.on('added', this.onAdded);
    this.deps.watcher.on('removed', this.onRemoved);
    this.deps.watcher.on('error', (e) => this.log.warn({ code: e.code, err: e.message }, 'mount table'));
    await this.deps.watcher.start();
    this.deps.ahead?.start();
  }

  /** Stops watching and waits for an export under way (it stops at its next step once the stick is gone or finishes). */
  async stop(): Promise<void> {
    this.running = false;
    await this.deps.ahead?.stop();
    await this.deps.watcher.stop();
    this.deps.watcher.off('added', this.onAdded);
    this.deps.watcher.off('removed', this.onRemoved);
    this.clearOutcome();
    await this.queue;
  }

  /** Resolves once every stick seen so far has been handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(v: Volume): void {
    this.gone.delete(v.id);
    this.queue = this.queue.then(() => this.handle(v)).catch((err: unknown) => this.log.error({ err }, 'USB export failed unexpectedly'));
  }

  private removed(v: Volume): void {
    this.gone.add(v.id);
    if (this.showing?.id === v.id && this.showing.clearOnRemoval) {
      this.clearOutcome();
      this.deps.ui.setActivity(undefined);
    }
  }

  private emitEvent(state: ExportEvent['state'], fields: Record<string, unknown>): void {
    this.emit('export', { event: 'export', state, ...fields });
  }

  private async handle(v: Volume): Promise<void> {
    if (!this.running || this.gone.has(v.id)) return;
    const stick = await checkStick(v, this.deps.config);
    if (!stick.ok) {
      this.log.info({ volume: v.mountPoint, code: stick.code }, 'stick left alone');
      this.emitEvent('skipped', { volume: v.mountPoint, reason: stick.code, message: stick.message });
      return this.outcome(v, failureScreen(stick.code), 'attention');
    }
    this.clearOutcome();
    const target = { root: v.mountPoint, dev: v.dev, stillThere: () => !this.gone.has(v.id) && this.deps.watcher.isMounted(v) };
    const ui = this.deps.ui;
    const result = await runWithEvents(this.deps.exporter, target, stick, (state, fields) => {
      this.emitEvent(state, fields);
      if (state === 'started') ui.setActivity({ kind: 'progress', label: 'export', done: 0, total: Number(fields['total']) }, 'attention');
      if (state === 'progress') ui.setActivity({ kind: 'progress', label: 'export', done: Number(fields['done']), total: Number(fields['total']) });
    });
    await this.finish(v, result);
  }

  private async finish(v: Volume, r: ExportRunResult): Promise<void> {
    if (r.state !== 'done') return this.outcome(v, failureScreen(r.code), 'attention');
    const eject = this.deps.config.unmount ? await this.deps.watcher.eject(v) : { ejected: false, reason: 'usb.unmount is off' };
    if (!eject.ejected) this.log.info({ volume: v.mountPoint, why: eject.reason }, 'stick left mounted (its data is synced)');
    const skippedCount = r.skipped.reduce((n, s) => n + s.count, 0);
    this.emitEvent('done', { ...doneFields(v.mountPoint, r), unmounted: eject.ejected });
    // after our own unmount the table says "removed" while the stick is still in: keep "safe to remove" up
    const screen: ActivityScreen = { kind: 'message', message: 'safe-to-remove', count: r.count, ...(skippedCount > 0 ? { skipped: skippedCount } : {}) };
    this.outcome(v, screen, 'attention', !eject.ejected);
  }

  /** An outcome stays until the stick is pulled (if `clearOnRemoval`) or usb.messageMs passes. */
  private outcome(v: Volume, screen: ActivityScreen, signal: Signal, clearOnRemoval = true): void {
    this.clearOutcome();
    if (clearOnRemoval && this.gone.has(v.id) && screen.kind === 'message' && screen.message !== 'export-interrupted') {
      this.deps.ui.setActivity(undefined);
      return;
    }
    this.deps.ui.setActivity(screen, signal);
    const timer = setTimeout(() => {
      if (this.showing?.timer !== timer) return;
      this.showing = undefined;
      this.deps.ui.setActivity(undefined);
    }, this.deps.config.messageMs);
    timer.unref();
    this.showing = { id: v.id, timer, clearOnRemoval };
  }

  private clearOutcome(): void {
    if (this.showing) clearTimeout(this.showing.timer);
    this.showing = undefined;
  }
}

function files(batches: readonly { manifest: string; data: string }[]): string[] {
  return batches.flatMap((b) => [b.manifest, b.data]);
}

/** The fields of a `done` event: count, the batch files, the batches, records skipped. */
export function doneFields(volume: string, r: Extract<ExportRunResult, { state: 'done' }>): Record<string, unknown> {
  const skipped = r.skipped.reduce((n, s) => n + s.count, 0);
  return { volume, count: r.count, files: files(r.batches), batches: r.batches, skipped };
}

export type EmitExport = (state: ExportEvent['state'], fields: Record<string, unknown>) => void;

/**
 * One export with its events: started, progress, skipped (per platform that
 * cannot sign, or the whole export when another runs), then interrupted — or
 * done, which the caller emits (the service unmounts first; `kiosk export`
 * does not). Shared by the service and `kiosk export`.
 */
export async function runWithEvents(exporter: Exporter, target: StickTarget, where: { folder: string; createFolder: boolean }, emit: EmitExport): Promise<ExportRunResult> {
  const volume = target.root;
  const started = (i: { total: number; platforms: string[] }): void => emit('started', { volume, total: i.total, platforms: i.platforms });
  const progress = (p: { done: number; total: number; platformId: string }): void => emit('progress', { volume, done: p.done, total: p.total, platformId: p.platformId });
  const skipped = (s: SkippedPlatform): void => emit('skipped', { volume, platformId: s.platformId, reason: s.code, message: s.message, count: s.count });
  exporter.on('started', started).on('progress', progress).on('skipped', skipped);
  let r: ExportRunResult;
  try {
    r = await exporter.run(target, where);
  } finally {
    exporter.off('started', started).off('progress', progress).off('skipped', skipped);
  }
  if (r.state === 'skipped') emit('skipped', { volume, reason: r.code, message: r.message });
  if (r.state === 'interrupted') emit('interrupted', { volume, reason: r.code, message: r.message, count: r.count, files: files(r.batches) });
  return r;
}

