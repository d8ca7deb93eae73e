import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger, silentLogger } from '../../device/logger.js';
import { ServiceNotifier, serviceStatus, systemdNotifySender, type NotifySender } from '../../device/sd-notify.js';
import { needTool } from '../support/host-tool.js';
import { NotifyReceiver } from '../support/notify-receiver.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sender that records each datagram (and fails each send with `fail`). */
function recordingSender(opts: { fail?: NodeJS.ErrnoException } = {}) {
  const sent: string[][] = [];
  const sender: NotifySender = {
    async send(assignments) {
      sent.push([...assignments]);
      if (opts.fail) throw opts.fail;
    },
  };
  return { sender, sent };
}

function make(env: Record<string, string>, sender: NotifySender, status = () => 'ready, scanner: connected, sync: none, pending: 0') {
  const { logger, lines } = memoryLogger();
  const notifier = new ServiceNotifier({ env, pid: 4242, sender, status, logger });
  return { notifier, lines };
}

describe('ServiceNotifier (sd_notify)', () => {
  it('without NOTIFY_SOCKET does nothing at all', async () => {
    const { sender, sent } = recordingSender();
    const { notifier } = make({ WATCHDOG_USEC: '100000' }, sender);
    assert.equal(notifier.enabled, false);
    notifier.start();
    notifier.refresh();
    await notifier.stop();
    assert.deepEqual(sent, []);
  });

  it('start() sends READY=1 with the status; pings at half of WATCHDOG_USEC; stop() sends STOPPING=1 and pings no more', async () => {
    const { sender, sent } = recordingSender();
    const { notifier } = make({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '100000', WATCHDOG_PID: '4242' }, sender);
    assert.equal(notifier.pingMs, 50);
    notifier.start();
    await sleep(5);
    assert.deepEqual(sent[0], ['READY=1', 'STATUS=ready, scanner: connected, sync: none, pending: 0']);
    // waits for the pings (a loaded machine delays timers), then checks they never come faster than every 50 ms
    const from = Date.now();
    const pingCount = (): number => sent.filter((d) => d.includes('WATCHDOG=1')).length;
    while (pingCount() < 3 && Date.now() - from < 5000) await sleep(10);
    const elapsed = Date.now() - from;
    const pings = pingCount();
    assert.ok(pings >= 3 && pings <= Math.floor(elapsed / 50) + 1, `${pings} pings in ${elapsed} ms at 50 ms`);
    await notifier.stop();
    assert.deepEqual(sent.at(-1), ['STOPPING=1']);
    const count = sent.length;
    await sleep(120);
    assert.equal(sent.length, count, 'nothing after stop()');
  });

  it('sends STATUS= only when the text changed, coalescing what piles up behind a slow send', async () => {
    let release!: () => void;
    const sent: string[][] = [];
    const sender: NotifySender = {
      send: (a) => {
        sent.push([...a]);
        return sent.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    };
    let text = 'ready, scanner: connected';
    const { notifier } = make({ NOTIFY_SOCKET: '@kiosk-test' }, sender, () => text);
    notifier.start();
    await sleep(5); // the first datagram is on its way
    text = 'ready, scanner: disconnected';
    notifier.refresh();
    notifier.refresh();
    text = 'ready, scanner: connected, sync: online';
    notifier.refresh();
    assert.equal(sent.length, 1, 'one systemd-notify at a time');
    release();
    await sleep(5);
    await notifier.stop();
    assert.deepEqual(sent, [
      ['READY=1', 'STATUS=ready, scanner: connected'],
      ['STATUS=ready, scanner: connected, sync: online'],
      ['STOPPING=1'],
    ]);
  });

  it('honours WATCHDOG_PID: a watchdog meant for another process gets no pings', () => {
    const { notifier } = make({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '100000', WATCHDOG_PID: '1' }, recordingSender().sender);
    assert.equal(notifier.enabled, true);
    assert.equal(notifier.pingMs, undefined);
  });

  it('a bad WATCHDOG_USEC or NOTIFY_SOCKET is logged, naming the value, and never throws', () => {
    for (const usec of ['0', '-5', 'abc', '1e6']) {
      const { notifier, lines } = make({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: usec }, recordingSender().sender);
      assert.equal(notifier.pingMs, undefined, usec);
      assert.ok(lines.some((l) => l['WATCHDOG_USEC'] === usec && l['level'] === 40), usec);
    }
    const { notifier, lines } = make({ NOTIFY_SOCKET: 'relative/path' }, recordingSender().sender);
    assert.equal(notifier.enabled, false);
    assert.ok(lines.some((l) => l['NOTIFY_SOCKET'] === 'relative/path'));
  });

  it('a missing systemd-notify is one error in the log; the service goes on and sends nothing more', async () => {
    const { notifier, lines } = make(
      { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '40000' },
      systemdNotifySender('/nonexistent/systemd-notify'),
    );
    notifier.start();
    await sleep(150);
    await notifier.stop();
    const errors = lines.filter((l) => l['level'] === 50);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]?.['msg']), /systemd-notify not found/);
  });

  it('a failing send is logged once per distinct error and never thrown', async () => {
    const fail = new Error('systemd-notify failed: Connection refused');
    const { sender, sent } = recordingSender({ fail });
    const { notifier, lines } = make({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '40000' }, sender);
    notifier.start();
    for (const end = Date.now() + 10_000; sent.length < 3 && Date.now() < end; ) await sleep(20);
    await notifier.stop();
    assert.ok(sent.length >= 3, 'it keeps trying');
    assert.equal(lines.filter((l) => l['level'] === 40 && l['msg'] === 'sd_notify failed').length, 1);
  });

  it('serviceStatus: phase, scanner, sync (none until the kiosk has an uplink), pending, faults', () => {
    const base = { phase: 'ready' as const, scanner: 'connected' as const, online: null, pending: 0, faults: [] };
    assert.equal(serviceStatus(base), 'ready, scanner: connected, sync: none, pending: 0');
    assert.equal(
      serviceStatus({ ...base, scanner: 'disconnected', online: false, pending: 3, faults: ['SCANNER_DISCONNECTED', 'NO_KEYS'] }),
      'ready, scanner: disconnected, sync: offline, pending: 3, faults: SCANNER_DISCONNECTED NO_KEYS',
    );
    assert.match(serviceStatus({ ...base, online: true }), /sync: online/);
  });
});

describe('ServiceNotifier through systemd-notify to a real NOTIFY_SOCKET', function () {
  this.timeout(30_000);
  let dir: string;
  let receiver: NotifyReceiver | undefined;
  const saved = process.env['NOTIFY_SOCKET'];

  before(function () {
    needTool(this, 'systemd-notify', 'apt-get install systemd');
    needTool(this, 'python3', 'apt-get install python3');
  });
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'kiosk-notify-'))));
  afterEach(async () => {
    await receiver?.stop();
    receiver = undefined;
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env['NOTIFY_SOCKET'];
    else process.env['NOTIFY_SOCKET'] = saved;
  });

  /** systemd-notify reads NOTIFY_SOCKET from its environment, inherited from ours */
  async function listen(address: string): Promise<NotifyReceiver> {
    receiver = new NotifyReceiver(address);
    await receiver.start();
    process.env['NOTIFY_SOCKET'] = address;
    return receiver;
  }

  for (const kind of ['path', 'abstract'] as const) {
    it(`READY, STATUS, WATCHDOG and STOPPING arrive on a ${kind} socket`, async () => {
      const address = kind === 'path' ? path.join(dir, 'notify') : `@kiosk-test-${process.pid}-${Date.now()}`;
      const r = await listen(address);
      const notifier = new ServiceNotifier({
        env: { NOTIFY_SOCKET: address, WATCHDOG_USEC: '400000' }, pid: process.pid,
        sender: systemdNotifySender(), status: () => 'ready, scanner: connected, sync: none, pending: 0', logger: silentLogger(),
      });
      notifier.start();
      const ready = await r.waitFor((d) => d.fields['READY'] === '1', 'READY=1');
      assert.equal(ready.fields['STATUS'], 'ready, scanner: connected, sync: none, pending: 0');
      await r.waitFor((d) => d.fields['WATCHDOG'] === '1', 'WATCHDOG=1');
      await notifier.stop();
      await r.waitFor((d) => d.fields['STOPPING'] === '1', 'STOPPING=1');
    });
  }

  it('pings come from the event loop: a blocked loop sends none', async () => {
    const r = await listen(path.join(dir, 'notify'));
    const notifier = new ServiceNotifier({
      env: { NOTIFY_SOCKET: r.address, WATCHDOG_USEC: '200000' }, pid: process.pid,
      sender: systemdNotifySender(), status: () => 'ready', logger: silentLogger(),
    });
    notifier.start();
    await r.waitFor((d) => d.fields['WATCHDOG'] === '1', 'a first ping');
    const blockedFrom = Date.now();
    while (Date.now() - blockedFrom < 1000); // a hung loop, ten ping periods long
    const blockedTo = Date.now();
    await sleep(600);
    await notifier.stop();
    const pings = r.messages.filter((d) => d.fields['WATCHDOG'] === '1').map((d) => d.at);
    // a systemd-notify started just before the block may still land during it; a pinger
    // off the event loop (a worker, a child's timer) would have sent about ten
    assert.ok(pings.filter((at) => at > blockedFrom && at < blockedTo).length <= 1, JSON.stringify(pings));
    assert.ok(pings.some((at) => at > blockedTo), 'pings resume once the loop runs again');
  });
});
