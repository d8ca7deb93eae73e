/**
 * One long-lived gpioset process holding one group of lines. The line keeps
 * its level only while the process lives (gpioset(1)), so we never fork per
 * beep: in interactive mode (libgpiod >= 2.1) a change is one `set ...` line
 * on stdin; otherwise the holder is restarted with the new levels (the old one
 * must exit first, or the new request finds the lines busy).
 */
import type { Logger } from '../../device/logger.js';
import { GpioError } from './outputs.js';
import type { GpiodMode } from './gpiod-version.js';
import { GPIOD_FIX, collect, spawnError, type ChildLike, type SpawnFn } from './process.js';

const PROMPT = 'gpioset> ';

interface Running {
  child: ChildLike;
  exited: Promise<void>;
  stderr: () => string;
  expectedExit: boolean;
}

export class GpiosetHolder {
  private running: Running | undefined;
  private current: string | undefined;
  private failure: GpioError | undefined;

  constructor(
    private readonly spawn: SpawnFn,
    private readonly mode: GpiodMode,
    private readonly argsFor: (assign: string[]) => string[],
    private readonly logger: Logger,
  ) {}

  /** Drive the group's lines to these assignments ("17=1", ...). Calls must not overlap. */
  async apply(assign: string[]): Promise<void> {
    this.throwFailure();
    const key = assign.join(' ');
    if (this.running && key === this.current) return;
    if (this.mode === 'v2-interactive' && this.running) {
      this.running.child.stdin?.write(`set ${key}\n`);
    } else {
      await this.release();
      await this.launch(assign);
    }
    this.current = key;
  }

  /** End the process (the kernel then releases the lines). */
  async release(): Promise<void> {
    const r = this.running;
    if (!r) return;
    r.expectedExit = true;
    this.running = undefined;
    this.current = undefined;
    if (this.mode === 'v2-interactive') {
      // EOF alone does not end interactive gpioset; `exit` does
      r.child.stdin?.write('exit\n');
      r.child.stdin?.end();
    } else {
      r.child.kill('SIGTERM');
    }
    await r.exited;
  }

  private throwFailure(): void {
    const f = this.failure;
    if (!f) return;
    this.failure = undefined; // the next call tries again with a fresh process
    throw f;
  }

  private launch(assign: string[]): Promise<void> {
    const args = this.argsFor(assign);
    let child: ChildLike;
    try {
      child = this.spawn('gpioset', args);
    } catch (err) {
      return Promise.reject(spawnError('gpioset', err as Error));
    }
    const stdout = collect(child.stdout, PROMPT.length * 4);
    const r: Running = { child, stderr: collect(child.stderr, 4096), expectedExit: false, exited: Promise.resolve() };
    const started = new Promise<void>((resolve, reject) => {
      let settled = false;
      // true when this settled `started`; false when start-up was already over
      const settle = (err?: GpioError): boolean => {
        if (settled) return false;
        settled = true;
        if (err) reject(err);
        else resolve();
        return true;
      };
      r.exited = new Promise<void>((done) => {
        child.once('error', (err) => {
          if (!settle(spawnError('gpioset', err))) this.failure = spawnError('gpioset', err);
          done();
        });
        child.once('exit', (code, signal) => {
          const failure = this.exitFailure(args, r, code, signal);
          if (failure && !settle(failure)) this.failure = failure;
          done();
        });
      });
      if (this.mode !== 'v2-interactive') settle();
      else child.stdout?.on('data', () => stdout().includes(PROMPT) && settle());
    });
    this.running = r;
    return started;
  }

  /** An exit nobody asked for: log it; the caller keeps it for the next apply. */
  private exitFailure(args: string[], r: Running, code: number | null, signal: NodeJS.Signals | null): GpioError | undefined {
    if (r.expectedExit) return undefined;
    if (this.running === r) this.running = undefined;
    const why = r.stderr().trim() || `exit ${code ?? signal}`;
    const f = new GpioError('GPIOD_FAILED', `gpioset ${args.join(' ')} ended: ${why}. If the line is busy, another program holds it (see gpioinfo); otherwise ${GPIOD_FIX}`);
    this.logger.error({ err: f.message }, 'gpioset ended');
    return f;
  }
}
