/**
 * A real pseudo-terminal for the serial scanner driver, made without socat or
 * a native module (neither is on a newcomer's laptop): util-linux `script`
 * allocates the pair and runs `tty` on the terminal side, which prints the
 * device's name, then `sleep` holds it open as a plugged-in scanner's port
 * stays. The kiosk opens that device with `--serial-path`; what we write to
 * script's stdin goes in at the master side, so the kiosk reads it as a
 * scanner's bytes. Killing script hangs the terminal up, as an unplug does.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

const HOLD = 'tty; exec sleep 2147483647';

/** util-linux (Linux) and BSD/macOS `script` take the command differently */
function scriptArgs(): string[] {
  return process.platform === 'linux' ? ['-q', '-f', '-e', '-c', HOLD, '/dev/null'] : ['-q', '/dev/null', 'sh', '-c', HOLD];
}

export class ScriptPty {
  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly path: string) {}

  static async open(timeoutMs = 10_000): Promise<ScriptPty> {
    const child = spawn('script', scriptArgs(), { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const name = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`script made no pseudo-terminal within ${timeoutMs} ms: ${err}`)), timeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`cannot make a pseudo-terminal with \`script\` (util-linux): ${why}${err ? `: ${err.trim()}` : ''}`));
      };
      child.once('error', (e) => fail(e.message));
      child.once('exit', (code) => fail(`it exited with ${String(code)}`));
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        resolve(line.trim());
      });
    });
    if (!name.startsWith('/dev/')) {
      child.kill('SIGKILL');
      throw new Error(`\`script\` ran \`tty\`, which printed ${JSON.stringify(name)} instead of a terminal device`);
    }
    child.stdout.resume(); // the terminal's echo until the kiosk sets it raw: read and dropped
    return new ScriptPty(child, name);
  }

  /** The scanner sends `text` and its CR suffix (the common factory setting). */
  scan(text: string): void {
    this.child.stdin.write(`${text}\r`);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
