/**
 * A fake systemd for sd_notify tests: a real unix datagram socket (a path, or
 * an abstract name given as "@name"), made by python3 because Node cannot
 * open one. Each datagram is kept with its arrival time. File descriptors
 * passed along (systemd-notify's BARRIER=1) are closed on receipt, as systemd
 * does, which releases the sender.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const RECEIVER = String.raw`
import array, json, socket, sys, time, os
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\0' + addr[1:] if addr.startswith('@') else addr)
print(json.dumps({'ready': True}), flush=True)
while True:
    data, anc, _flags, _addr = s.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array('i')
            fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(json.dumps({'at': time.time() * 1000, 'text': data.decode('utf-8', 'replace')}), flush=True)
`;

export interface Datagram {
  /** arrival, Unix ms */
  at: number;
  /** VARIABLE=VALUE assignments, as sent */
  fields: Record<string, string>;
}

export class NotifyReceiver {
  readonly datagrams: Datagram[] = [];
  private child: ChildProcess | undefined;

  constructor(readonly address: string) {}

  async start(): Promise<void> {
    const child = spawn('python3', ['-c', RECEIVER, this.address], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`notify receiver exited with ${code}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as { ready?: boolean; at: number; text: string };
        if (msg.ready) return resolve();
        this.datagrams.push({ at: msg.at, fields: parseFields(msg.text) });
      });
    });
  }

  /** Datagrams other than systemd-notify's BARRIER=1 handshakes. */
  get messages(): Datagram[] {
    return this.datagrams.filter((d) => !('BARRIER' in d.fields));
  }

  /** `ms`: generous, a kiosk child started on a loaded CI machine takes seconds to be ready */
  async waitFor(pred: (d: Datagram) => boolean, what: string, ms = 30_000): Promise<Datagram> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(this.messages.map((d) => d.fields))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

function parseFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return fields;
}
