/**
 * The kiosk service: scanner lines in, verdicts out, one at a time in arrival
 * order. The redemption itself is synchronous (device/pipeline.ts); the screen
 * and the LEDs are told afterwards and their failures are logged, never allowed
 * to stop redemption.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../drivers/clock/port.js';
import type { Display } from '../drivers/display/port.js';
import type { FaultCode, Screen, StatusLine } from '../drivers/display/screen.js';
import type { Indicator, Signal } from '../drivers/indicator/port.js';
import type { Scanner, ScannerError, ScannerState } from '../drivers/scanner/port.js';
import type { KioskConfig } from './config.js';
import type { KeyringHolder, KeySnapshot } from './keyring-holder.js';
import type { Ledger } from './ledger/types.js';
import { errInfo } from './err-info.js';
import type { Logger } from './logger.js';
import { ledgerFault, type Decision, type Redeemer } from './pipeline.js';
import { ScanQueue, type QueuedScan } from './scan-queue.js';
import { faultScreen, restingScreen, signalFor, verdictScreen, type ActivityScreen } from './screens.js';
import type { Verdict } from './verdict.js';

export type KioskPhase = 'stopped' | 'starting' | 'ready' | 'stopping';

export interface KioskState {
  phase: KioskPhase;
  scanner: ScannerState;
  /** the uplink, as the screen's status line shows it (null: this kiosk has no sync) */
  online: boolean | null;
  clockWarning: boolean;
  pending: number;
  faults: FaultCode[];
}

export interface FaultEvent {
  fault: FaultCode;
  active: boolean;
  detail: string;
}

export interface KioskEvents {
  /** one per scan, in scan order, after the ledger committed and the screen was told */
  verdict: [verdict: Verdict];
  /** a fault was raised or cleared */
  fault: [event: FaultEvent];
  state: [state: KioskState];
}

/** The platform link as the status line sees it: sync/ implements it, the composition root injects it (the kiosk never imports sync/). */
export interface UplinkStatus {
  /** null: no platform with a service to talk to */
  online: boolean | null;
  /** since the last successful sync with any platform, s; null: never */
  sinceSyncS: number | null;
  conflicts: number;
}

export interface KioskDeps {
  scanner: Scanner;
  display: Display;
  indicator: Indicator;
  redeemer: Redeemer;
  /** the keys the redeemer reads; their changes (a reload, a disabled terminal) update NO_KEYS and TERMINAL_DISABLED */
  keys?: KeyringHolder;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  config: Pick<KioskConfig, 'verdictScreenMs'>;
  /** while the ledger faults, probe it this often (ms) so the kiosk recovers without a scan; default 5000 */
  ledgerRetryMs?: number;
  /** the sync worker's state for the status line; absent: no uplink (online shown as unknown) */
  uplink?: { status(): UplinkStatus };
  /** scans that may wait for their verdict; more are refused (device/scan-queue.ts) */
  maxQueuedScans?: number;
}

const LEDGER_FAULTS: readonly FaultCode[] = ['DISK_FULL', 'LEDGER_ERROR'];

export class Kiosk extends EventEmitter<KioskEvents> {
  private readonly log: Logger;
  private readonly scans: ScanQueue;
  private readonly faults = new Map<FaultCode, string>();
  private phase: KioskPhase = 'stopped';
  private idleTimer: NodeJS.Timeout | undefined;
  private ledgerRetry: NodeJS.Timeout | undefined;
  private pending = 0;
  private clockWarning = false;
  private faultSignalled = false;
  private lastShow: Promise<void> = Promise.resolve();
  private activity: ActivityScreen | undefined;
  private readonly onLine = (text: string): void => this.enqueue(text);
  private readonly onScannerState = (s: ScannerState): void => this.scannerState(s);
  private readonly onScannerError = (e: ScannerError): void => this.scannerError(e);
  private readonly onKeys = (snapshot: KeySnapshot): void => this.keysChanged(snapshot);

  constructor(private readonly deps: KioskDeps) {
    super();
    this.log = deps.logger.child({ module: 'kiosk' });
    const open = (): boolean => this.phase === 'ready' || this.phase === 'starting';
    this.scans = new ScanQueue((scan) => this.process(scan), { log: this.log, isOpen: open, ...(deps.maxQueuedScans ? { max: deps.maxQueuedScans } : {}) });
  }

  get state(): KioskState {
    const { scanner, online, clockWarning, pending } = this.status();
    return { phase: this.phase, scanner, online, clockWarning, pending, faults: [...this.faults.keys()] };
  }

  async start(): Promise<void> {
    if (this.phase !== 'stopped') throw new Error(`Kiosk.start() while ${this.phase}`);
    this.setPhase('starting');
    const problems = [await this.guard('indicator', this.deps.indicator.start()), await this.guard('display', this.deps.display.start())];
    const hardware = problems.filter((p) => p !== undefined).join('; ');
    if (hardware) this.setFault('HARDWARE', true, hardware);
    this.show({ kind: 'message', message: 'starting', status: this.status() });
    this.checkHealth();
    this.deps.keys?.on('change', this.onKeys);
    this.deps.scanner.on('line', this.onLine);
    this.deps.scanner.on('state', this.onScannerState);
    this.deps.scanner.on('error', this.onScannerError);
    await this.deps.scanner.start();
    this.scannerState(this.deps.scanner.state);
    this.setPhase('ready');
    if (this.clockWarning) this.announce('CLOCK_UNTRUSTED');
    else this.showResting();
  }

  /** Stop taking scans, let the current one finish, then release in reverse order of start. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'stopping') return;
    this.setPhase('stopping');
    const dropped = this.scans.clear();
    if (dropped > 0) this.log.warn({ dropped }, 'stopping: queued scans not processed');
    await this.scans.drained(); // a scan waiting for its online claim gets its verdict (at most the claim timeout)
    this.deps.scanner.off('line', this.onLine);
    await this.guard('scanner', this.deps.scanner.stop());
    this.deps.scanner.off('state', this.onScannerState);
    this.deps.scanner.off('error', this.onScannerError);
    this.deps.keys?.off('change', this.onKeys);
    this.clearIdleTimer();
    this.disarmLedgerRetry();
    this.show({ kind: 'message', message: 'stopping', status: this.status() });
    await this.lastShow;
    await this.guard('display', this.deps.display.stop());
    await this.guard('indicator', this.deps.indicator.stop());
    this.deps.ledger.close();
    this.setPhase('stopped');
  }

  /** Resolves once every scan received so far has its verdict. */
  drained(): Promise<void> {
    return this.scans.drained();
  }

  private enqueue(text: string): void {
    if (this.phase !== 'ready' && this.phase !== 'starting') return;
    this.scans.push(text);
  }

  /** One scan: at once, or once its online claim settled (the queue holds the next scans until then). */
  private process(scan: QueuedScan): void | Promise<void> {
    const decision = this.deps.redeemer.decide(scan.text, scan.receivedAt);
    if (decision instanceof Promise) return decision.then((d) => this.answer(d));
    this.answer(decision);
  }

  private answer({ verdict, finish }: Decision): void {
    this.afterVerdict(verdict);
    this.clearIdleTimer();
    this.signal(signalFor(verdict));
    this.show(verdictScreen(verdict, this.status()));
    this.emit('verdict', verdict);
    finish(); // scan log and trusted floor: after the cashier has the answer
    this.idleTimer = setTimeout(() => this.showResting(), this.deps.config.verdictScreenMs);
  }

  private afterVerdict(v: Verdict): void {
    if (v.kind === 'fault') {
      this.setLedgerFault(v.fault, `${v.code}: ${v.message}`);
      return;
    }
    this.clearLedgerFaults();
    if (v.reason === 'ACCEPTED') this.refreshPending();
    if (v.clockWarning !== this.clockWarning) this.setClockWarning(v.clockWarning);
  }

  /** The pending-upload count is the ledger's (a maintained tally, cheap to read), never a second counter here. */
  private refreshPending(): void {
    try {
      this.pending = this.deps.ledger.counts().pendingUpload;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not read the pending-upload count');
    }
  }

  /** Start-up checks: keys, clock, ledger counts. */
  private checkHealth(): void {
    this.checkKeys(this.deps.keys?.snapshot);
    try {
      this.pending = this.deps.ledger.counts().pendingUpload;
      this.setClockWarning(this.deps.redeemer.clockState().warning);
    } catch (err) {
      this.ledgerFailed(err);
    }
  }

  /** NO_KEYS and TERMINAL_DISABLED from the keys of this moment. */
  private checkKeys(snapshot: KeySnapshot | undefined): void {
    this.setFault('NO_KEYS', !this.deps.redeemer.hasKeys(), 'no platform or no merchant key: run kiosk provision enroll (or import)');
    const disabled = snapshot?.disabled ?? [];
    const detail = disabled.map((d) => `terminal ${d.terminalId} disabled by ${d.platformId} ${new Date(d.at).toISOString().slice(0, 10)}`).join('; ');
    this.setFault('TERMINAL_DISABLED', disabled.length > 0, detail);
  }

  /** New keys (a reload of the key store): the faults follow, and the resting screen if it shows. */
  private keysChanged(snapshot: KeySnapshot): void {
    this.checkKeys(snapshot);
    if (this.phase === 'ready' && !this.idleTimer) this.showResting();
  }

  private ledgerFailed(err: unknown): void {
    const { fault, code } = ledgerFault(err);
    this.setLedgerFault(fault, `${code}: ${(err as Error)?.message ?? String(err)}`);
  }

  /** The ledger failed: show which fault (one of them), and probe it until it works again. */
  private setLedgerFault(fault: FaultCode, detail: string): void {
    for (const other of LEDGER_FAULTS) if (other !== fault) this.setFault(other, false, '');
    this.setFault(fault, true, detail);
  }

  private clearLedgerFaults(): void {
    for (const f of LEDGER_FAULTS) this.setFault(f, false, '');
  }

  /**
   * A ledger fault at start-up (full disk, lock held, lost file restored later)
   * must clear as soon as its cause is gone, also when nobody scans: one small
   * durable write per period (reopening the ledger if it never opened).
   */
  private armLedgerRetry(): void {
    if (this.ledgerRetry || this.phase === 'stopping' || this.phase === 'stopped') return;
    this.ledgerRetry = setInterval(() => this.probeLedger(), this.deps.ledgerRetryMs ?? 5000);
    this.ledgerRetry.unref();
  }

  private disarmLedgerRetry(): void {
    if (this.ledgerRetry) clearInterval(this.ledgerRetry);
    this.ledgerRetry = undefined;
  }

  private probeLedger(): void {
    if (this.scans.busy) return; // a scan is being answered; it tells us itself
    try {
      this.deps.ledger.probe();
      this.pending = this.deps.ledger.counts().pendingUpload;
      this.setClockWarning(this.deps.redeemer.clockState().warning);
    } catch (err) {
      this.ledgerFailed(err);
      return;
    }
    this.log.info('ledger available again');
    this.clearLedgerFaults();
    if (!this.idleTimer) this.showResting();
  }

  private setClockWarning(on: boolean): void {
    this.clockWarning = on;
    this.setFault('CLOCK_UNTRUSTED', on, 'system clock is behind the trusted time (or before 2026); using the trusted time');
  }

  /** Show a non-blocking fault for one verdict period, then the resting screen. */
  private announce(fault: FaultCode): void {
    this.show(faultScreen(fault, this.faults.get(fault) ?? '', this.status()));
    this.idleTimer = setTimeout(() => this.showResting(), this.deps.config.verdictScreenMs);
  }

  private setFault(fault: FaultCode, active: boolean, detail: string): void {
    if (LEDGER_FAULTS.includes(fault)) {
      if (active) this.armLedgerRetry();
      else if (!LEDGER_FAULTS.some((f) => f !== fault && this.faults.has(f))) this.disarmLedgerRetry();
    }
    if (this.faults.has(fault) === active) return;
    if (active) this.faults.set(fault, detail);
    else this.faults.delete(fault);
    const event: FaultEvent = { fault, active, detail };
    if (active) this.log.error(event, `fault ${fault}`);
    else this.log.info(event, `fault ${fault} cleared`);
    this.emit('fault', event);
    this.emit('state', this.state);
  }

  private scannerState(s: ScannerState): void {
    this.setFault('SCANNER_DISCONNECTED', s === 'disconnected', `scanner ${this.deps.scanner.name} disconnected`);
    if (this.phase === 'ready' && !this.idleTimer) this.showResting();
  }

  private scannerError(err: ScannerError): void {
    this.log.warn({ err: { code: err.code, message: err.message } }, 'scanner error');
    if (err.disconnected) this.scannerState('disconnected');
  }

  /**
   * USB export (sync/export/): a screen shown instead of idle until cleared
   * with undefined. A verdict on screen is never replaced: the activity shows
   * when the verdict period ends.
   */
  setActivity(screen: ActivityScreen | undefined, signal?: Signal): void {
    this.activity = screen;
    if (signal !== undefined) this.signal(signal);
    if (this.phase === 'ready' && !this.idleTimer) this.showResting();
  }

  /** Idle, or the most urgent blocking fault with the slow red blink (cleared once the fault is gone). */
  private showResting(): void {
    this.idleTimer = undefined;
    if (this.phase !== 'ready') return;
    const screen = restingScreen(this.faults, this.status(), this.activity);
    this.show(screen);
    if (screen.kind === 'fault') this.signal('fault');
    else if (this.faultSignalled) this.signal('clear');
    this.faultSignalled = screen.kind === 'fault';
  }

  /** The sync worker uploaded, pulled or failed: the status line (and the pending count) may have changed. */
  syncChanged(): void {
    this.refreshPending();
    if (this.phase === 'ready' && !this.idleTimer) this.showResting();
    this.emit('state', this.state);
  }

  private status(): StatusLine {
    const base: StatusLine = { online: null, pending: this.pending, clockWarning: this.clockWarning, scanner: this.deps.scanner.state };
    const up = this.deps.uplink?.status();
    return up === undefined || up.online === null ? base : { ...base, online: up.online, sinceSyncS: up.sinceSyncS, conflicts: up.conflicts };
  }

  private show(screen: Screen): void {
    try {
      this.lastShow = this.deps.display.show(screen).catch((err: unknown) => this.log.warn({ err: errInfo(err) }, 'display failed'));
    } catch (err) {
      this.log.warn({ err: errInfo(err) }, 'display failed'); // a driver that throws instead of rejecting
    }
  }

  private signal(s: Signal): void {
    try {
      this.deps.indicator.signal(s).catch((err: unknown) => this.log.warn({ err: errInfo(err), signal: s }, 'indicator failed'));
    } catch (err) {
      this.log.warn({ err: errInfo(err), signal: s }, 'indicator failed');
    }
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Await a driver call; a failure is logged and returned as a short description, never thrown. */
  private async guard(what: string, p: Promise<void>): Promise<string | undefined> {
    try {
      await p;
      return undefined;
    } catch (err) {
      this.log.error({ err: errInfo(err) }, `${what} failed; redeeming continues without it`);
      return `${what}: ${errInfo(err).message}`;
    }
  }

  private setPhase(phase: KioskPhase): void {
    this.phase = phase;
    this.emit('state', this.state);
  }
}
