/**
 * `coupon-platform serve` as a child process, for tests over real sockets:
 * waits for its `{"event":"listening"}` line, keeps its stderr (JSON logs),
 * stops it with SIGTERM or kills it with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PLATFORM_CLI } from './cli-run.js';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then the exit code */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

export async function spawnServe(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, [PLATFORM_CLI, 'serve', '--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COUPON_PLATFORM_LOG_LEVEL: 'info', ...env },
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not listen within ${timeoutMs} ms:\n${err}`)), timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const ev = JSON.parse(line) as { event?: string; url?: string };
        if (ev.event === 'listening' && ev.url) {
          clearTimeout(timer);
          resolve(ev.url);
        }
      } catch {
        // not JSON: a test reads stdout only for the event
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${String(code)}) before listening:\n${err}`));
    });
  });
  return {
    url,
    child,
    stderr: () => err,
    exited,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
