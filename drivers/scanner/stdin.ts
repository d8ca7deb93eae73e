import { StringDecoder } from 'node:string_decoder';
import type { Terminator } from '../config.js';
import { silentLogger, type Logger } from '../../device/logger.js';
import { ScannerBase } from './base.js';
import { LineFramer } from './line-framer.js';
import { ScannerError, type Scanner } from './port.js';
import type { Timers } from './timers.js';

export interface StdinScannerOptions {
  input: NodeJS.ReadableStream;
  /** default 'auto': CR, LF or CRLF all end a scan */
  terminator?: Terminator;
  logger?: Logger;
  /**
   * One scan per burst (default SCAN_BURST_GAP_MS), as from a scanner; 0 makes
   * every line a scan, for text that is not a scanner's (`kiosk redeem`: a file
   * of coupons, one per line).
   */
  burstGapMs?: number;
  timers?: Timers;
}

/**
 * A scanner reading lines from a stream (stdin in the simulated kiosk, or a
 * pipe from a scanner tool). Bytes are decoded as UTF-8 with a StringDecoder:
 * a character split across chunks survives, and binary junk becomes U+FFFD
 * instead of throwing, so the verifier rejects it like any bad text. End of
 * input means the scanner is gone: state 'disconnected', no retry.
 */
export class StdinScanner extends ScannerBase implements Scanner {
  readonly name = 'stdin';
  private running = false;
  private decoder = new StringDecoder('utf8');
  private framer: LineFramer | undefined;

  constructor(private readonly opts: StdinScannerOptions) {
    super((opts.logger ?? silentLogger()).child({ module: 'scanner-stdin' }));
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.decoder = new StringDecoder('utf8');
    this.framer = new LineFramer(
      {
        terminator: this.opts.terminator ?? 'auto',
        ...(this.opts.burstGapMs !== undefined ? { burstGapMs: this.opts.burstGapMs } : {}),
        ...(this.opts.timers ? { timers: this.opts.timers } : {}),
        onDiscard: this.onBurstDiscard,
      },
      (line) => this.emit('line', line),
    );
    this.opts.input.on('data', this.onData);
    this.opts.input.on('end', this.onEnd);
    this.opts.input.on('error', this.onError);
    this.setState('connected');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.detach();
    this.framer?.reset();
    this.state = 'disconnected';
  }

  private readonly onData = (chunk: Buffer | string): void => {
    this.framer?.push(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
  };

  private readonly onEnd = (): void => {
    if (!this.running) return;
    this.framer?.push(this.decoder.end());
    this.framer?.flush();
    this.detach();
    this.setState('disconnected');
  };

  private readonly onError = (err: Error): void => {
    if (!this.running) return;
    this.framer?.reset();
    this.detach();
    this.setState('disconnected');
    this.report(new ScannerError('SCANNER_IO', `scanner input failed: ${err.message}`, true, { cause: err }));
  };

  private detach(): void {
    this.running = false;
    const input = this.opts.input;
    input.off('data', this.onData);
    input.off('end', this.onEnd);
    input.off('error', this.onError);
    // a flowing stdin keeps the process alive after stop()
    input.pause();
  }
}
