/**
 * A pair of real pseudo-terminals joined by socat, as the field test
 * uses them: the kiosk opens `a`, the "scanner" writes to `b`. Killing socat
 * hangs up both ends, as pulling a USB-CDC scanner hangs up its ttyACM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const FLOOD = fileURLToPath(new URL('./pty-flood.js', import.meta.url));

export class SocatPty {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'kiosk-pty-'));
  readonly a = path.join(this.dir, 'A');
  readonly b = path.join(this.dir, 'B');
  private child: ChildProcess | undefined;

  /** Plug in: start socat and wait until both links exist. */
  async plug(): Promise<void> {
    if (this.child) throw new Error('already plugged');
    // after SIGKILL socat leaves its links behind, as a stale by-id link would be
    for (const link of [this.a, this.b]) rmSync(link, { force: true });
    const child = spawn('socat', [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: 'ignore' });
    this.child = child;
    for (let i = 0; i < 200 && !(existsSync(this.a) && existsSync(this.b)); i++) {
      if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}`);
      await sleep(10);
    }
    if (!(existsSync(this.a) && existsSync(this.b))) throw new Error('socat made no pty links within 2 s');
  }

  /** Pull the cable: kill socat and wait until it is gone. */
  async unplug(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Open the far end as a scanner holds it (not as our controlling terminal); the caller closes the fd. */
  openFarEnd(): number {
    return openSync(this.b, constants.O_RDWR | constants.O_NOCTTY);
  }

  async dispose(): Promise<void> {
    await this.unplug('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A scanner that keeps sending `text` into `ptyPath` (see pty-flood.ts) until the pty hangs up or stop(). */
export async function startFlood(ptyPath: string, text: string, opts: { terminator: boolean }): Promise<{ stop(): Promise<void> }> {
  const args = [FLOOD, ptyPath, text, ...(opts.terminator ? [] : ['--no-terminator'])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`pty-flood exited with ${code} before it was ready`)));
  });
  return { stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
