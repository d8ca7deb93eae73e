/**
 * A data file on a stick, written in order while the caller reads the next
 * chunk: one write in flight at a time (memory stays at two chunks), and
 * flushed as it goes, one flush in flight, every `flushEvery` bytes. On a USB
 * stick the closing fsync then waits for the tail only, and the progress the
 * manager sees counts bytes the stick was asked to keep, not bytes in the
 * kiosk's page cache.
 *
 * Every failure of a write or a flush surfaces from the next call (or from
 * `finish`), and a failure that comes while the caller is elsewhere is never
 * an unhandled rejection.
 */
import type { FileHandle } from 'node:fs/promises';
import { onStick, syncAndClose, writeAll, type StickTarget } from './stick-files.js';

/** A promise whose failure is kept for whoever awaits it next, not reported as unhandled meanwhile. */
function held(p: Promise<void>): Promise<void> {
  p.catch(() => undefined);
  return p;
}

export class StickStream {
  private write: Promise<void> | undefined;
  private flush: Promise<void> | undefined;
  private unflushed = 0;
  /** a flush that failed while nobody waited: Linux reports a write-back error to one fsync only, so it is kept here */
  private failed: { err: unknown } | undefined;

  constructor(
    private readonly target: StickTarget,
    private readonly fh: FileHandle,
    private readonly file: string,
    private readonly flushEvery: number,
  ) {}

  /** Waits for the previous write to land (and throws its failure), then starts this one. */
  async append(bytes: Uint8Array): Promise<void> {
    await this.landed();
    if (this.unflushed >= this.flushEvery && this.flush === undefined) {
      this.unflushed = 0;
      this.flush = held(
        onStick(this.target, `flush ${this.file}`, () => this.fh.datasync()).then(
          () => {
            this.flush = undefined;
          },
          (err: unknown) => {
            this.failed ??= { err };
            this.flush = undefined;
          },
        ),
      );
    }
    this.write = held(writeAll(this.target, this.fh, this.file, bytes));
    this.unflushed += bytes.byteLength;
  }

  /** The last write landed (its failure thrown, or an earlier flush's). */
  async landed(): Promise<void> {
    const w = this.write;
    this.write = undefined;
    await w;
    if (this.failed !== undefined) throw this.failed.err;
  }

  /** Everything written and flushed, then fsync and close: the bytes are on the stick. */
  async finish(): Promise<void> {
    try {
      await this.landed();
      await this.flush;
      if (this.failed !== undefined) throw this.failed.err;
    } catch (err) {
      await this.abandon();
      throw err;
    }
    await syncAndClose(this.target, this.fh, this.file);
  }

  /** After a failure: waits for whatever is in flight, then closes the file. */
  async abandon(): Promise<void> {
    await Promise.allSettled([this.write, this.flush]);
    await this.fh.close().catch(() => undefined);
  }
}
