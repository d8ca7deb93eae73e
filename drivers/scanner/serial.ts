import { StringDecoder } from 'node:string_decoder';
import { SerialPortStream, type OpenOptions } from '@serialport/stream';
import type { SerialScannerConfig } from '../config.js';
import type { Logger } from '../../device/logger.js';
import { LineFramer } from './line-framer.js';
import { ScannerError, type Scanner } from './port.js';
import { ReconnectingScanner, type Backoff } from './reconnecting.js';
import { watchHangup } from './serial-hangup.js';
import type { Timers } from './timers.js';

export interface SerialScannerOptions extends SerialScannerConfig {
  logger: Logger;
  /** for tests: MockBinding from @serialport/binding-mock; default: the platform binding of `serialport` */
  binding?: BindingInterface;
  timers?: Timers;
  backoff?: Backoff;
  /** one scan per burst (default SCAN_BURST_GAP_MS, see line-framer.ts); 0 for tests that stream many lines back to back */
  burstGapMs?: number;
}

/**
 * serialport's BindingInterface, taken through @serialport/stream because
 * @serialport/bindings-interface's export map hides its types from NodeNext.
 */
export type BindingInterface = OpenOptions['binding'];

const USB_ID = /^[0-9a-f]{4}$/i;

/**
 * A scanner on a serial port (USB-CDC or RS-232), via serialport's
 * SerialPortStream. Prefer a stable path (/dev/serial/by-id/usb-...): ttyACM0
 * may become ttyACM1 after a replug. Matching by USB vendor/product id looks the
 * port up again on every (re)connect. Framing is our LineFramer (see there for
 * why not ReadlineParser). The kiosk user needs the `dialout` group.
 *
 * Unplug: the stream reports a failed read as 'close' with a DisconnectedError
 * (err.disconnected = true), and watchHangup (see there) catches the hang-up
 * the binding misses mid-transfer; either way we drop the partial line, close
 * the port and retry with backoff.
 */
export class SerialScanner extends ReconnectingScanner implements Scanner {
  readonly name = 'serial';
  private port: SerialPortStream | undefined;
  private framer: LineFramer | undefined;
  private unwatch: (() => void) | undefined;

  constructor(private readonly opts: SerialScannerOptions) {
    super(opts.logger.child({ module: 'scanner-serial' }), opts);
  }

  protected override validate(): void {
    const { path, vendorId, productId, baudRate } = this.opts;
    const problems: string[] = [];
    if (!path && !(vendorId && productId)) problems.push('set a path or both vendorId and productId');
    if (vendorId !== undefined && !USB_ID.test(vendorId)) problems.push(`vendorId '${vendorId}' is not 4 hex digits`);
    if (productId !== undefined && !USB_ID.test(productId)) problems.push(`productId '${productId}' is not 4 hex digits`);
    if (!Number.isInteger(baudRate) || baudRate <= 0) problems.push(`baudRate '${baudRate}' is not a positive integer`);
    if (problems.length > 0) throw new ScannerError('SCANNER_OPEN_FAILED', `serial scanner config: ${problems.join('; ')}`);
  }

  protected async openDevice(): Promise<void> {
    const binding = this.opts.binding ?? (await defaultBinding());
    const path = this.opts.path ?? (await this.findByIds(binding));
    const port = new SerialPortStream({ binding, path, baudRate: this.opts.baudRate, autoOpen: false });
    // after close the stream may still report late read failures; they must not crash us
    port.on('error', (err) => this.onPortError(port, err));
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(withHint(err)) : resolve())));
    const decoder = new StringDecoder('utf8');
    const framer = new LineFramer(
      {
        terminator: this.opts.terminator,
        interCharTimeoutMs: this.opts.interCharTimeoutMs,
        timers: this.timers,
        onDiscard: this.onBurstDiscard,
        ...(this.opts.burstGapMs !== undefined ? { burstGapMs: this.opts.burstGapMs } : {}),
      },
      (line) => this.deliver(line),
    );
    port.on('data', (chunk: Buffer) => framer.push(decoder.write(chunk)));
    port.on('close', (err: Error | null) => {
      if (this.port === port) this.lost(err ?? new Error(`port ${path} closed`));
    });
    this.unwatch = watchHangup(port, (err) => {
      if (this.port === port) this.lost(err);
    });
    this.port = port;
    this.framer = framer;
    this.log.info({ path, baudRate: this.opts.baudRate }, 'serial scanner open');
  }

  protected async closeDevice(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    this.framer?.reset();
    this.framer = undefined;
    this.unwatch?.();
    this.unwatch = undefined;
    if (!port) return;
    port.removeAllListeners('data');
    port.removeAllListeners('close');
    if (!port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  protected dropPartial(): void {
    this.framer?.reset();
  }

  private onPortError(port: SerialPortStream, err: Error): void {
    if (this.port === port) this.lost(err);
    else this.log.debug({ err: err.message }, 'serial error after close');
  }

  private async findByIds(binding: BindingInterface): Promise<string> {
    const vid = this.opts.vendorId?.toLowerCase();
    const pid = this.opts.productId?.toLowerCase();
    const ports = await binding.list();
    const found = ports.find((p) => p.vendorId?.toLowerCase() === vid && p.productId?.toLowerCase() === pid);
    if (!found) throw new Error(`no serial port with USB id ${vid}:${pid} (found ${ports.length} port(s))`);
    return found.path;
  }
}

/** Name the fix for the failure a technician will meet first. */
function withHint(err: Error): Error {
  if (/EACCES|permission denied/i.test(err.message)) err.message += ' (add the kiosk user to group dialout)';
  return err;
}

async function defaultBinding(): Promise<BindingInterface> {
  try {
    const { SerialPort } = await import('serialport');
    return SerialPort.binding;
  } catch (err) {
    throw new ScannerError(
      'SCANNER_MODULE_MISSING',
      `serialport's native binding could not be loaded (${(err as Error).message}); run: npm rebuild @serialport/bindings-cpp`,
      true,
      { cause: err },
    );
  }
}
