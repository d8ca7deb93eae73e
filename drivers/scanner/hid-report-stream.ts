/**
 * A simulated keyboard-emulation HID scanner for the real HID driver: a
 * node-hid look-alike (HidModuleLike) whose one device delivers the raw input
 * reports read from a stream, so `kiosk start --hid-reports PATH|-` (the demo,
 * a test, a recorded capture) runs the real HidScanner, its boot keyboard
 * decoder and its line framer without a USB device.
 *
 * The stream carries 8-byte boot keyboard reports back to back
 * ([modifiers, reserved, key1..key6], HID 1.11 Appendix B.1), as a hidraw
 * node delivers them; reads are cut into reports whatever their size. The
 * stream is played once: at its end the device is gone (an unplug: 'error'),
 * and it is never listed again, so the scanner then shows disconnected.
 */
import { EventEmitter } from 'node:events';
import type { HidDeviceInfo, HidDeviceLike, HidModuleLike } from './hid-device.js';

export const BOOT_REPORT_BYTES = 8;
/** Generic Desktop / Keyboard: what a keyboard-emulation scanner reports */
const KEYBOARD = { usagePage: 0x01, usage: 0x06 } as const;

class StreamDevice extends EventEmitter implements HidDeviceLike {
  private pending = Buffer.alloc(0);
  private readonly onData = (chunk: Buffer | string): void => this.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  private readonly onEnd = (): void => this.gone(new Error('the HID report stream ended (device unplugged)'));
  private readonly onError = (err: Error): void => this.gone(err);

  constructor(private readonly source: NodeJS.ReadableStream, private readonly ended: () => void) {
    super();
    source.on('data', this.onData);
    source.once('end', this.onEnd);
    source.once('error', this.onError);
    source.resume(); // paused by a previous close
  }

  close(): void {
    this.detach();
  }

  private push(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    while (buf.length >= BOOT_REPORT_BYTES) {
      this.emit('data', buf.subarray(0, BOOT_REPORT_BYTES));
      buf = buf.subarray(BOOT_REPORT_BYTES);
    }
    this.pending = Buffer.from(buf);
  }

  private gone(err: Error): void {
    this.detach();
    this.ended();
    this.emit('error', err);
  }

  private detach(): void {
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.source.off('error', this.onError);
    // a flowing stream (stdin) keeps the process alive after the scanner stopped
    this.source.pause();
  }
}

/**
 * The module for one report stream. `path` names the device in the list (the
 * scanner is configured with it as `hid.device`); `open()` makes the stream on
 * the first open (a FIFO's open waits for its writer), once.
 */
export function reportStreamHid(path: string, open: () => NodeJS.ReadableStream): HidModuleLike {
  let source: NodeJS.ReadableStream | undefined;
  let ended = false;
  const info: HidDeviceInfo = { vendorId: 0, productId: 0, path, ...KEYBOARD, product: 'simulated keyboard scanner (HID reports from a stream)' };
  const openDevice = (p: string): StreamDevice => {
    if (p !== path || ended) throw new Error(`cannot open device with path ${p}`);
    source ??= open();
    return new StreamDevice(source, () => (ended = true));
  };
  return {
    devices: () => (ended ? [] : [info]),
    HIDAsync: { open: async (p: string) => openDevice(p) },
    HID: class {
      constructor(p: string) {
        return openDevice(p);
      }
    } as unknown as HidModuleLike['HID'],
  };
}
