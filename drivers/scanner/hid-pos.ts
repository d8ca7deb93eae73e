import { MAX_SCAN_CHARS } from './port.js';

/**
 * Assembles the input reports of a HID Point-of-Sale barcode scanner (usage
 * page 0x8C "Barcode Scanner") into lines.
 *
 * The HID POS Usage Tables (USB-IF "HID Point of Sale Usage Tables" 1.02,
 * Barcode Scanner page 0x8C) define a Scanned Data Report (usage 0x12) made of
 * Symbology Identifier 1..3 (0xFB..0xFD), Decoded Data (0xFE) and Decoded Data
 * Continued (0xFF). The byte layout every common scanner in "HID POS" mode
 * uses (Honeywell, Zebra, Datalogic), with node-hid giving us the report id
 * first, is this 64-byte report:
 *
 *   [0]      report id 0x02
 *   [1]      length: how many data bytes of this report are valid (0..56)
 *   [2..4]   symbology identifier, 3 bytes (AIM id such as "]Q1")
 *   [5..60]  decoded data, 56 bytes
 *   [61]     vendor code id (Honeywell), [62] reserved
 *   [63]     continuation: non-zero = more reports of the same scan follow
 *
 * Cross-checked against the public WebHID implementation
 * NielsLeenheer/WebHidBarcodeScanner (src/main.js: length at data[0], AIM id at
 * data[1..3], data from data[4], "final = !data[62]", WebHID data excluding
 * the report id). A scan may end with the scanner's CR suffix; we strip CR/LF
 * at the end. Bytes are decoded as UTF-8 once the scan is complete, so a
 * character split across reports survives.
 */
export const POS_REPORT = {
  id: 0x02,
  length: 1,
  symbology: 2,
  data: 5,
  dataBytes: 56,
  continued: 63,
} as const;

export interface PosScan {
  text: string;
  /** the 3-byte symbology identifier of the last report, e.g. "]Q1" for QR */
  symbology: string;
}

export class HidPosAssembler {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** keep a few bytes more than the cap so UTF-8 decoding still yields MAX_SCAN_CHARS + 1 chars */
  private readonly keepBytes = (MAX_SCAN_CHARS + 1) * 4;

  /** Feed one input report; returns the scan when its last report arrives. */
  feed(report: Uint8Array): PosScan | undefined {
    if (report.length <= POS_REPORT.continued || report[0] !== POS_REPORT.id) return undefined;
    const len = Math.min(report[POS_REPORT.length] ?? 0, POS_REPORT.dataBytes);
    this.append(report.subarray(POS_REPORT.data, POS_REPORT.data + len));
    if (report[POS_REPORT.continued] !== 0) return undefined;
    const symbology = Buffer.from(report.subarray(POS_REPORT.symbology, POS_REPORT.symbology + 3)).toString('latin1');
    const text = Buffer.concat(this.chunks).toString('utf8').replace(/[\r\n]+$/, '');
    this.reset();
    return { text: text.length > MAX_SCAN_CHARS + 1 ? text.slice(0, MAX_SCAN_CHARS + 1) : text, symbology };
  }

  /** Drop a partial scan (unplug). */
  reset(): void {
    this.chunks = [];
    this.bytes = 0;
  }

  private append(data: Uint8Array): void {
    const room = this.keepBytes - this.bytes;
    if (room <= 0 || data.length === 0) return;
    const kept = Buffer.from(data.subarray(0, room));
    this.chunks.push(kept);
    this.bytes += kept.length;
  }
}
