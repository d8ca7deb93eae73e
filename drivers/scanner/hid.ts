import type { HidScannerConfig } from '../config.js';
import type { Logger } from '../../device/logger.js';
import {
  describeMatch, hex4, loadNodeHid, looksLikeNativeLoadError, moduleMissing, parseDeviceMatch, pickDevice, POS_USAGE_PAGE,
  type DeviceMatch, type HidDeviceInfo, type HidDeviceLike, type HidModuleLike,
} from './hid-device.js';
import { BootKeyboardDecoder } from './hid-keyboard.js';
import { LAYOUTS } from './hid-keymap.js';
import { HidPosAssembler } from './hid-pos.js';
import { LineFramer } from './line-framer.js';
import { ScannerError, type Scanner } from './port.js';
import { ReconnectingScanner, type Backoff } from './reconnecting.js';
import type { Timers } from './timers.js';

export type { HidModuleLike } from './hid-device.js';

export interface HidScannerOptions extends HidScannerConfig {
  logger: Logger;
  /** injected fake for tests; default: node-hid, imported on first start() */
  hid?: HidModuleLike;
  timers?: Timers;
  backoff?: Backoff;
}

/**
 * A USB HID barcode scanner via node-hid: keyboard-emulation scanners (boot
 * keyboard reports decoded with our tables for the configured country) or HID
 * POS scanners (usage page 0x8C). Mode 'auto' picks POS when the device has
 * that usage page, else keyboard.
 *
 * Access (document for the device set-up): a udev rule gives the kiosk user the
 * device, for both backends, e.g. /etc/udev/rules.d/70-kiosk-scanner.rules:
 *   KERNEL=="hidraw*", ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0b61", MODE="0660", GROUP="kiosk"
 *   SUBSYSTEM=="usb", ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0b61", MODE="0660", GROUP="kiosk"
 * then `udevadm control --reload-rules && udevadm trigger`. Reading hidraw does
 * NOT stop the kernel keyboard driver from also typing the scan into the
 * console: use backend 'libusb' (node-hid setDriverType('libusb'), which
 * detaches the kernel driver when it claims the interface), or unbind usbhid
 * for that device in a udev rule, or set the scanner to HID POS mode.
 *
 * Unplug: node-hid emits 'error' on the open device; we drop the partial line,
 * report disconnected and re-enumerate with backoff until it is back.
 */
async function openHid(hid: HidModuleLike, path: string): Promise<HidDeviceLike> {
  try {
    return hid.HIDAsync ? await hid.HIDAsync.open(path) : new hid.HID(path);
  } catch (err) {
    const e = err as Error;
    // node-hid says only "cannot open device with path ...", also when access is denied
    e.message += ` (is the udev rule for this scanner installed and the kiosk user in its group?)`;
    throw e;
  }
}

export class HidScanner extends ReconnectingScanner implements Scanner {
  readonly name = 'hid';
  private hid: HidModuleLike | undefined;
  private match: DeviceMatch = { posAny: true };
  private device: HidDeviceLike | undefined;
  private keyboard: { decoder: BootKeyboardDecoder; framer: LineFramer } | undefined;
  private readonly pos = new HidPosAssembler();
  private enumerated = false;

  constructor(private readonly opts: HidScannerOptions) {
    super(opts.logger.child({ module: 'scanner-hid' }), opts);
  }

  protected override validate(): void {
    const problems: string[] = [];
    if (!LAYOUTS.includes(this.opts.layout)) problems.push(`layout '${this.opts.layout}' is not one of ${LAYOUTS.join(', ')}`);
    if (!['auto', 'keyboard', 'pos'].includes(this.opts.mode)) problems.push(`mode '${this.opts.mode}' is not auto, keyboard or pos`);
    if (problems.length > 0) throw new ScannerError('SCANNER_OPEN_FAILED', `hid scanner config: ${problems.join('; ')}`);
    this.match = parseDeviceMatch(this.opts.device);
  }

  protected async openDevice(): Promise<void> {
    const hid = await this.module();
    const info = pickDevice(await this.enumerate(hid), this.match, this.opts.mode);
    if (!info?.path) throw new Error(`no HID device matches ${describeMatch(this.match)}`);
    const device = await openHid(hid, info.path);
    const pos = this.opts.mode === 'pos' || (this.opts.mode === 'auto' && info.usagePage === POS_USAGE_PAGE);
    device.on('error', (err) => (this.device === device ? this.lost(err) : undefined));
    device.on('data', pos ? (data) => this.onPosReport(data) : this.keyboardReader());
    this.device = device;
    this.log.info({ path: info.path, id: `${hex4(info.vendorId)}:${hex4(info.productId)}`, mode: pos ? 'pos' : 'keyboard' }, 'hid scanner open');
  }

  protected async closeDevice(): Promise<void> {
    const device = this.device;
    this.device = undefined;
    this.dropPartial();
    if (!device) return;
    device.removeAllListeners('data');
    try {
      await device.close();
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'hid close after unplug');
    }
  }

  protected dropPartial(): void {
    this.keyboard?.framer.reset();
    this.keyboard?.decoder.reset();
    this.pos.reset();
  }

  private keyboardReader(): (data: Buffer) => void {
    const decoder = new BootKeyboardDecoder(this.opts.layout);
    const framer = new LineFramer({ terminator: 'LF', timers: this.timers, onDiscard: this.onBurstDiscard }, (line) => this.deliver(line));
    this.keyboard = { decoder, framer };
    // boot keyboard reports are 8 bytes; a 9th byte in front is a report id
    return (data) => framer.push(decoder.feed(data, data.length > 8 ? 1 : 0));
  }

  private onPosReport(data: Buffer): void {
    const scan = this.pos.feed(data);
    if (scan && scan.text.length > 0) this.deliver(scan.text);
  }

  private async module(): Promise<HidModuleLike> {
    if (!this.hid) {
      const hid = this.opts.hid ?? (await loadNodeHid());
      // must happen before node-hid loads its native part (first enumeration)
      if (this.opts.backend === 'libusb') hid.setDriverType?.('libusb');
      this.hid = hid;
    }
    return this.hid;
  }

  private async enumerate(hid: HidModuleLike): Promise<HidDeviceInfo[]> {
    try {
      const list = hid.devicesAsync ? await hid.devicesAsync() : hid.devices();
      this.enumerated = true;
      return list;
    } catch (err) {
      if (!this.enumerated && looksLikeNativeLoadError(err)) throw moduleMissing(err);
      throw err;
    }
  }
}
