/**
 * A fake child_process for the gpiod backend: records every command line and
 * every line written to a child's stdin, answers the short commands from a
 * table, and plays an interactive gpioset (prompt on stdout, `exit` ends it).
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildLike, SpawnFn } from '../../../drivers/gpio/process.js';

export interface Reply {
  code?: number;
  stdout?: string;
  stderr?: string;
}

export class FakeChild extends EventEmitter implements ChildLike {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly input: string[] = [];
  exited = false;
  /** the exit event was emitted (the kernel would have released the lines) */
  gone = false;
  /** other long-running children still alive when this one was spawned */
  othersAlive = 0;

  constructor(readonly command: string, readonly args: readonly string[]) {
    super();
    let buf = '';
    this.stdin.on('data', (c: Buffer) => {
      buf += c.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        this.onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  }

  get interactive(): boolean {
    return this.args.includes('-i');
  }

  kill(): boolean {
    this.exit(null, 'SIGTERM');
    return true;
  }

  /** End the process as the real one would, stdout/stderr first. */
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.exited) return;
    this.exited = true;
    setImmediate(() => {
      this.stdout.end();
      this.stderr.end();
      this.gone = true;
      this.emit('exit', code, signal);
      this.emit('close', code);
    });
  }

  private onLine(line: string): void {
    this.input.push(line);
    if (line === 'exit') this.exit(0);
    else this.stdout.write('gpioset> ');
  }
}

export class FakeSpawn {
  readonly children: FakeChild[] = [];
  /** replies for short commands, by "cmd arg arg" */
  readonly replies = new Map<string, Reply>();
  /** when set, a long-running gpioset fails at start like this */
  failHolder: Reply | undefined;
  missing = false;

  readonly spawn: SpawnFn = (command, args) => {
    const child = new FakeChild(command, args);
    child.othersAlive = this.holders.filter((h) => !h.gone).length;
    this.children.push(child);
    setImmediate(() => this.behave(child));
    return child;
  };

  /** Every command line, e.g. "gpioset --mode=signal gpiochip0 17=0". */
  get commands(): string[] {
    return this.children.map((c) => [c.command, ...c.args].join(' '));
  }

  /** The long-running gpioset children (not --version/--help). */
  get holders(): FakeChild[] {
    return this.children.filter((c) => c.command === 'gpioset' && !c.args.some((a) => a === '--version' || a === '--help'));
  }

  private behave(child: FakeChild): void {
    if (this.missing) {
      child.emit('error', Object.assign(new Error(`spawn ${child.command} ENOENT`), { code: 'ENOENT' }));
      return;
    }
    const reply = this.replies.get([child.command, ...child.args].join(' '));
    if (reply || !this.holders.includes(child)) return this.answer(child, reply ?? { code: 1, stderr: 'unknown\n' });
    if (this.failHolder) return this.answer(child, this.failHolder);
    if (child.interactive) child.stdout.write('gpioset> ');
  }

  private answer(child: FakeChild, r: Reply): void {
    if (r.stdout) child.stdout.write(r.stdout);
    if (r.stderr) child.stderr.write(r.stderr);
    child.exit(r.code ?? 0);
  }
}

/** Let setImmediate-driven fakes and promise chains settle. */
export async function flush(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
