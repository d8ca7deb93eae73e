/**
 * Telling systemd how the service is (sd_notify(3)): READY=1 once the kiosk
 * takes scans, WATCHDOG=1 at half the watchdog period from the event loop
 * itself (a hung loop sends none, and systemd restarts us), STATUS= with the
 * scanner and sync state, STOPPING=1 on shutdown.
 *
 * NOTIFY_SOCKET is a unix datagram socket, which Node's dgram cannot open; the
 * messages go through systemd's own `systemd-notify` (docs/decisions.md says
 * why not a native module). Nothing here can stop the kiosk: without
 * NOTIFY_SOCKET it does nothing, and a failed send is logged.
 */
import { execFile } from 'node:child_process';
import type { KioskState } from './kiosk.js';
import type { Logger } from './logger.js';

/** Sends one datagram of VARIABLE=VALUE assignments to the service manager. */
export interface NotifySender {
  send(assignments: readonly string[]): Promise<void>;
}

/** The sender of production: `systemd-notify VAR=VALUE…`, which reads NOTIFY_SOCKET (path or @abstract) itself. */
export function systemdNotifySender(binary = 'systemd-notify'): NotifySender {
  return {
    send: (assignments) =>
      new Promise((resolve, reject) => {
        // systemd-notify waits (BARRIER=1) until systemd has read the message, so
        // it is attributed to our unit although the sender exits; 10 s is plenty
        execFile(binary, [...assignments], { timeout: 10_000 }, (err, _out, stderr) => {
          if (!err) return resolve();
          // ENOENT (no such binary) is the one failure the notifier treats apart
          const { code } = err as NodeJS.ErrnoException;
          reject(Object.assign(new Error(`${binary} failed: ${stderr.trim() || err.message}`), typeof code === 'string' ? { code } : {}));
        });
      }),
  };
}

export interface ServiceNotifierOptions {
  /** NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID as systemd sets them */
  env: Readonly<Record<string, string | undefined>>;
  pid: number;
  sender: NotifySender;
  /** the STATUS= text for the service's current state */
  status: () => string;
  logger: Logger;
}

/**
 * Lifecycle: the constructor reads the environment only; start() sends
 * READY=1 with the status and starts the watchdog pings; refresh() sends the
 * status when it changed; stop() sends STOPPING=1 and stops the pings.
 * Messages are coalesced: at most one systemd-notify runs at a time, and what
 * piles up meanwhile goes out in the next datagram.
 */
export class ServiceNotifier {
  /** systemd is listening (NOTIFY_SOCKET is set) */
  readonly enabled: boolean;
  /** the ping period (half of WatchdogSec), when the watchdog is on and meant for this process */
  readonly pingMs: number | undefined;
  private readonly log: Logger;
  private readonly queued = new Map<string, string>();
  private inflight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastStatus: string | undefined;
  private broken = false;
  private readonly failures = new Set<string>();

  constructor(private readonly opts: ServiceNotifierOptions) {
    this.log = opts.logger.child({ module: 'sd-notify' });
    this.enabled = notifySocket(opts.env, this.log) !== undefined;
    this.pingMs = this.enabled ? watchdogPingMs(opts.env, opts.pid, this.log) : undefined;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    this.enqueue('READY', '1');
    this.refresh();
    if (this.pingMs !== undefined) {
      this.timer = setInterval(() => {
        this.enqueue('WATCHDOG', '1');
        this.refresh();
      }, this.pingMs);
      this.timer.unref();
    }
    this.log.info({ watchdogPingMs: this.pingMs ?? null }, 'systemd notified: ready');
  }

  /** Send STATUS= if the text changed since the last one sent. */
  refresh(): void {
    if (!this.enabled) return;
    const status = this.opts.status().replace(/[\r\n]+/g, ' ');
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    this.enqueue('STATUS', status);
  }

  /** STOPPING=1, no more pings; resolves once it is sent (or failed). */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.queued.delete('WATCHDOG');
    this.enqueue('STOPPING', '1');
    while (this.inflight) await this.inflight;
  }

  private enqueue(name: string, value: string): void {
    if (this.broken) return;
    this.queued.set(name, value);
    // a microtask later, so what is queued in the same turn (READY=1 and STATUS=) shares one datagram
    this.inflight ??= Promise.resolve().then(() => this.flush());
  }

  private async flush(): Promise<void> {
    while (this.queued.size > 0 && !this.broken) {
      const assignments = [...this.queued].map(([k, v]) => `${k}=${v}`);
      this.queued.clear();
      try {
        await this.opts.sender.send(assignments);
      } catch (err) {
        this.failed(err as NodeJS.ErrnoException);
      }
    }
    this.inflight = undefined;
  }

  /** A missing systemd-notify stops the sending for good; other failures are logged once each. */
  private failed(err: NodeJS.ErrnoException): void {
    if (err.code === 'ENOENT') {
      this.broken = true;
      this.queued.clear();
      this.log.error({ err: err.message }, 'systemd-notify not found (Debian package systemd): systemd will not see READY=1 or the watchdog pings');
      return;
    }
    if (this.failures.has(err.message)) return this.log.debug({ err: err.message }, 'sd_notify failed again');
    this.failures.add(err.message);
    this.log.warn({ err: err.message }, 'sd_notify failed');
  }
}

/** The STATUS= text: scanner, sync and faults, from the kiosk's own state. */
export function serviceStatus(state: Pick<KioskState, 'phase' | 'scanner' | 'online' | 'pending' | 'faults'>): string {
  const sync = state.online === null ? 'none' : state.online ? 'online' : 'offline';
  const parts = [`${state.phase}`, `scanner: ${state.scanner}`, `sync: ${sync}`, `pending: ${state.pending}`];
  if (state.faults.length > 0) parts.push(`faults: ${state.faults.join(' ')}`);
  return parts.join(', ');
}

function notifySocket(env: ServiceNotifierOptions['env'], log: Logger): string | undefined {
  const socket = env['NOTIFY_SOCKET'];
  if (!socket) return undefined;
  if (socket.startsWith('/') || socket.startsWith('@')) return socket;
  log.warn({ NOTIFY_SOCKET: socket }, 'NOTIFY_SOCKET is neither a path nor @abstract: not notifying systemd');
  return undefined;
}

/** sd_watchdog_enabled(3): WATCHDOG_USEC, and WATCHDOG_PID when set must be ours. */
function watchdogPingMs(env: ServiceNotifierOptions['env'], pid: number, log: Logger): number | undefined {
  const usec = env['WATCHDOG_USEC'];
  if (usec === undefined || usec === '') return undefined;
  const watchdogPid = env['WATCHDOG_PID'];
  if (watchdogPid !== undefined && watchdogPid !== '' && Number(watchdogPid) !== pid) {
    log.info({ WATCHDOG_PID: watchdogPid, pid }, 'the watchdog is meant for another process: not pinging');
    return undefined;
  }
  const micros = /^\d+$/.test(usec) ? Number(usec) : NaN;
  if (!Number.isSafeInteger(micros) || micros <= 0) {
    log.warn({ WATCHDOG_USEC: usec }, 'WATCHDOG_USEC is not a positive whole number of microseconds: not pinging');
    return undefined;
  }
  return Math.max(1, Math.floor(micros / 2000));
}
