/**
 * The link to one enrolled platform inside the kiosk process: two loops that
 * never wait on each other. The uplink drains the outbox when woken (a
 * commit), when idle on a slow timer (entries another process wrote), and
 * after a failure with exponential backoff and jitter; the downlink pulls
 * state, conflicts and revocations on its own period and its own backoff, so
 * revocations, time and trust arrive while uploads keep failing. A downlink
 * that gets through while the uplink is backing off wakes it: the platform
 * is back. Every await is network I/O; the ledger calls in between are a
 * few small SQLite statements, so the event loop (and the scans) never wait.
 */
import { EventEmitter } from 'node:events';
import type { Ledger } from '../device/ledger/types.js';
import type { Logger } from '../device/logger.js';
import type { SyncConfig } from '../device/config-sync.js';
import type { EnrolledPlatform } from '../provisioning/store/load.js';
import { Backoff } from './backoff.js';
import { pullOnce } from './downlink/pull.js';
import { clientFor } from './terminal-state.js';
import type { PlatformClient, PlatformClientOptions } from './transport/client.js';
import { drain, type DrainResult } from './uplink/drain.js';

export interface LinkDeps {
  home: string;
  ledger: Ledger;
  config: SyncConfig;
  logger: Logger;
  now: () => number;
  raiseTime?: ((tS: number, source: string) => number) | undefined;
  /** the transport under the client (tests: an exchange through a fault proxy) */
  transport?: Partial<PlatformClientOptions>;
  random?: () => number;
}

export interface LinkEvents {
  /** an upload or pull finished or failed: the status may have changed */
  change: [];
  uploaded: [result: DrainResult];
}

/** What is known of the link now (in memory; the ledger's sync_state keeps the durable part). */
export interface LinkHealth {
  /** null before the first attempt */
  online: boolean | null;
  lastError: string | null;
  uploadFailures: number;
  pullFailures: number;
}

export class PlatformLink extends EventEmitter<LinkEvents> {
  private platform: EnrolledPlatform;
  private readonly client: PlatformClient;
  private readonly log: Logger;
  private readonly upBackoff: Backoff;
  private readonly downBackoff: Backoff;
  private readonly abort = new AbortController();
  private upTimer: NodeJS.Timeout | undefined;
  private downTimer: NodeJS.Timeout | undefined;
  private upRunning: Promise<void> | undefined;
  private downRunning: Promise<void> | undefined;
  private upAgain = false;
  private stopped = false;
  readonly health: LinkHealth = { online: null, lastError: null, uploadFailures: 0, pullFailures: 0 };

  constructor(platform: EnrolledPlatform, private readonly deps: LinkDeps) {
    super();
    this.platform = platform;
    this.log = deps.logger.child({ module: 'sync', platformId: platform.platformId });
    this.client = clientFor(() => this.platform, { logger: deps.logger, now: deps.now, timeoutMs: deps.config.requestTimeoutMs, ...deps.transport });
    this.upBackoff = new Backoff(deps.config.backoffBaseMs, deps.config.backoffMaxMs, deps.random);
    this.downBackoff = new Backoff(deps.config.backoffBaseMs, deps.config.backoffMaxMs, deps.random);
  }

  get platformId(): string {
    return this.platform.platformId;
  }

  get enrolled(): EnrolledPlatform {
    return this.platform;
  }

  /** the key store changed (a trust update, new merchant keys): read per request from now on */
  replacePlatform(p: EnrolledPlatform): void {
    this.platform = p;
  }

  start(): void {
    this.scheduleUp(0);
    this.scheduleDown(0);
  }

  /** a commit: upload now, unless an upload is running (it goes again) or the link is backing off */
  wake(): void {
    if (this.stopped) return;
    this.emit('change'); // the pending count moved
    if (this.upRunning) this.upAgain = true;
    else if (this.upBackoff.count === 0) this.scheduleUp(0);
  }

  /** One upload pass now (kiosk sync); throws what the drain threw. */
  async uploadNow(): Promise<DrainResult> {
    await this.upRunning;
    return this.drainOnce();
  }

  /** One downlink pass now (kiosk sync); throws what the pull threw. */
  async pullNow(): Promise<void> {
    await this.downRunning;
    await this.pullOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.upTimer);
    clearTimeout(this.downTimer);
    this.abort.abort();
    await Promise.allSettled([this.upRunning, this.downRunning]);
    await this.client.close();
  }

  private scheduleUp(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.upTimer);
    this.upTimer = setTimeout(() => {
      this.upRunning = this.upLoop().finally(() => (this.upRunning = undefined));
    }, ms).unref();
  }

  private scheduleDown(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.downTimer);
    this.downTimer = setTimeout(() => {
      this.downRunning = this.downLoop().finally(() => (this.downRunning = undefined));
    }, ms).unref();
  }

  private async upLoop(): Promise<void> {
    try {
      do {
        this.upAgain = false;
        await this.drainOnce();
      } while (this.upAgain && !this.stopped);
      this.scheduleUp(this.deps.config.idleCheckMs);
    } catch {
      this.scheduleUp(this.upBackoff.fail());
    }
  }

  private async downLoop(): Promise<void> {
    try {
      await this.pullOnce();
      this.scheduleDown(this.deps.config.pullEveryMs);
      // the platform answers again: uploads need not wait out their backoff
      if (this.upBackoff.count > 0 && !this.upRunning) {
        this.upBackoff.reset();
        this.scheduleUp(0);
      }
    } catch {
      this.scheduleDown(this.downBackoff.fail());
    }
  }

  private async drainOnce(): Promise<DrainResult> {
    const { ledger, now, raiseTime } = this.deps;
    try {
      const result = await drain({
        platformId: this.platformId, self: this.platform.record, ledger, client: this.client, batchRecords: this.deps.config.batchRecords, timeoutMs: this.deps.config.requestTimeoutMs,
        now, raiseTime, logger: this.log, signal: this.abort.signal,
      });
      this.upBackoff.reset();
      // an idle check that found nothing is no news
      if (result.requests > 0 || this.health.online !== true) this.succeeded();
      if (result.requests > 0) this.emit('uploaded', result);
      return result;
    } catch (err) {
      this.failed(err, 'upload', this.upBackoff.count + 1);
      throw err;
    }
  }

  private async pullOnce(): Promise<void> {
    const { ledger, now, raiseTime, home } = this.deps;
    try {
      const pass = await pullOnce({ home, platform: this.platform, ledger, client: this.client, timeoutMs: this.deps.config.requestTimeoutMs, now, raiseTime, logger: this.log, signal: this.abort.signal });
      if (pass.conflicts > 0) this.log.warn({ conflicts: pass.conflicts }, 'the platform reports conflicts: this terminal is party to a coupon redeemed twice (kiosk ledger conflicts)');
      this.downBackoff.reset();
      this.succeeded();
    } catch (err) {
      this.failed(err, 'pull', this.downBackoff.count + 1);
      throw err;
    }
  }

  private succeeded(): void {
    const was = this.health.online;
    this.health.online = true;
    this.health.lastError = null;
    this.health.uploadFailures = this.upBackoff.count;
    this.health.pullFailures = this.downBackoff.count;
    if (was !== true) this.log.info('platform online');
    this.emit('change');
  }

  private failed(err: unknown, what: 'upload' | 'pull', failures: number): void {
    if (this.stopped) return;
    const e = err as Error & { code?: string };
    const message = `${what}: ${e.code ?? 'FAILED'}: ${e.message}`;
    const was = this.health.online;
    this.health.online = false;
    this.health.lastError = message;
    if (what === 'upload') this.health.uploadFailures = failures;
    else this.health.pullFailures = failures;
    try {
      this.deps.ledger.sync.noteContact(this.platformId, this.deps.now(), message);
    } catch (ledgerErr) {
      this.log.error({ err: (ledgerErr as Error).message }, 'the failure could not be recorded in the ledger');
    }
    // one line per change of state, then one per 10 failures: a dead network must not flood the log
    if (was !== false || failures % 10 === 1) this.log.warn({ code: e.code, err: e.message, failures }, `platform ${what} failed`);
    this.emit('change');
  }
}
