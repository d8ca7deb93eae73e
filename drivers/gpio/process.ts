/**
 * The slice of child_process the gpiod backend needs, injected so tests can
 * record the command stream with a fake child instead of running gpioset.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { GpioError } from './outputs.js';

export interface ChildLike {
  readonly stdin: NodeJS.WritableStream | null;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'close', listener: (code: number | null) => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
}

export type SpawnFn = (command: string, args: readonly string[]) => ChildLike;

export const spawnProcess: SpawnFn = (command, args) => nodeSpawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });

export const GPIOD_FIX =
  'install the libgpiod tools (apt-get install gpiod) and add the service user to group gpio (usermod -aG gpio kiosk)';

/** A spawn error as a GpioError: a missing tool names the package to install. */
export function spawnError(command: string, err: Error): GpioError {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    return new GpioError('GPIOD_MISSING', `${command} not found: ${GPIOD_FIX}`, { cause: err });
  }
  return new GpioError('GPIOD_FAILED', `${command} could not be started: ${err.message}`, { cause: err });
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a short command to completion, collecting its output. */
export function runCommand(spawn: SpawnFn, command: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let child: ChildLike;
    try {
      child = spawn(command, args);
    } catch (err) {
      reject(spawnError(command, err as Error));
      return;
    }
    const out = collect(child.stdout);
    const err = collect(child.stderr);
    child.once('error', (e) => reject(spawnError(command, e)));
    child.once('close', (code) => resolve({ code, stdout: out(), stderr: err() }));
  });
}

/**
 * Accumulate a stream's text; the returned function reads what arrived so far.
 * Only the last `max` characters are kept: a holder lives for months and
 * prints a prompt per command.
 */
export function collect(stream: NodeJS.ReadableStream | null, max = 64 * 1024): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer | string) => {
    text += chunk.toString();
    if (text.length > max) text = text.slice(-max);
  });
  return () => text;
}
