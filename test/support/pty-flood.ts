/**
 * Child process playing a scanner that keeps sending: opens the pty given in
 * argv, says "ready", then writes LINE + CR back to back (with
 * --no-terminator: LINE alone, one endless scan) until the pty hangs up (EIO),
 * and exits. Blocking writes, so it keeps the line full without
 * burning a core; a separate process, so the test's event loop never blocks.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';

const [ptyPath, line, flag] = process.argv.slice(2);
if (ptyPath === undefined || line === undefined) throw new Error('usage: pty-flood PTY LINE [--no-terminator]');
const fd = openSync(ptyPath, constants.O_RDWR | constants.O_NOCTTY);
const chunk = Buffer.from(flag === '--no-terminator' ? line : `${line}\r`);
process.stdout.write('ready\n');
for (;;) {
  try {
    writeSync(fd, chunk);
  } catch {
    break;
  }
}
closeSync(fd);
