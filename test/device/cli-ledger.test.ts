/**
 * The ledger through the real `kiosk` CLI: the reproductions of issue 7 (a
 * 0-byte or moved-away ledger must never accept a used coupon again), what
 * status and list say about a lost ledger, backup while the service runs,
 * restore, and reset.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { homePaths } from '../../device/home.js';
import { readHomeRecord } from '../../device/home-record.js';
import { issue, makeKeys, removeDir, tempDir, type TestKeys } from './helpers.js';
import { KIOSK_CLI, provisionWithCli, scanPaced, spawnKiosk } from './spawn-kiosk.js';
import { mountExfat, needsRoot } from '../support/tmpfs.js';

const env = { ...process.env, KIOSK_LOG_LEVEL: 'silent' };

function cli(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [KIOSK_CLI, ...args], { env, input });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function redeem(home: string, text: string): Record<string, unknown> {
  return JSON.parse(cli(['redeem', '--home', home, '-'], text + '\n').stdout) as Record<string, unknown>;
}

const reason = (e: Record<string, unknown>): unknown => e['reason'] ?? `FAULT:${String(e['code'])}`;

describe('kiosk ledger through the CLI', function () {
  this.timeout(60_000);
  let dir: string;
  let home: string;
  let keys: TestKeys;
  before(() => (keys = makeKeys()));
  beforeEach(() => {
    dir = tempDir();
    home = provisionWithCli(dir, keys);
  });
  afterEach(() => removeDir(dir));

  it('issue 7.1: a 0-byte ledger is never taken for a new one; status and list say it is lost', () => {
    const c = issue(keys);
    assert.equal(reason(redeem(home, c)), 'ACCEPTED');
    writeFileSync(path.join(home, 'ledger.sqlite'), '');
    const again = cli(['redeem', '--home', home, '-'], c + '\n');
    assert.equal(again.status, 1);
    assert.equal(reason(JSON.parse(again.stdout) as Record<string, unknown>), 'FAULT:LEDGER_LOST');
    const status = cli(['status', '--home', home]);
    assert.equal(status.status, 1);
    assert.match(status.stdout, /^ledger +LOST \(LEDGER_LOST\): .*restore it from a backup/m);
    const json = JSON.parse(cli(['status', '--home', home, '--json']).stdout) as Record<string, unknown>;
    assert.equal(json['ledgerState'], 'LEDGER_LOST');
    const list = cli(['ledger', 'list', '--home', home]);
    assert.equal(list.status, 1);
    assert.match(list.stderr, /LOST \(LEDGER_LOST\)/);
    assert.doesNotMatch(list.stdout, /no redemptions/);
  });

  it('issue 7.2: a ledgerPath change, then a lost config.json, never start an empty ledger', () => {
    const c = issue(keys);
    mkdirSync(path.join(home, 'data'));
    writeFileSync(path.join(home, 'config.json'), JSON.stringify({ ledgerPath: 'data/ledger.sqlite' }));
    assert.equal(reason(redeem(home, c)), 'ACCEPTED');
    rmSync(path.join(home, 'config.json'));
    assert.equal(reason(redeem(home, c)), 'FAULT:LEDGER_PATH_MISMATCH');
    assert.equal(existsSync(path.join(home, 'ledger.sqlite')), false);
  });

  it('backup while the service redeems, restore after a loss: the used coupon stays used', async () => {
    const coupons = Array.from({ length: 5 }, () => issue(keys));
    const run = spawnKiosk(['start', '--home', home, '--simulate', '--display', 'none', '--json']);
    await run.waitFor((e) => e['event'] === 'state' && e['phase'] === 'ready');
    await scanPaced(run, coupons);
    const backupFile = path.join(dir, 'backup.sqlite');
    const made = cli(['ledger', 'backup', '--home', home, '--to', backupFile, '--json']);
    assert.equal(made.status, 0, made.stderr);
    const result = JSON.parse(made.stdout) as { id: string; counts: { redemptions: number } };
    assert.equal(result.counts.redemptions, 5, 'the WAL\'s redemptions are in the copy');
    assert.equal(result.id, readHomeRecord(homePaths(home))?.ledger.id);
    assert.equal(statSync(backupFile).mode & 0o777, 0o600);
    assert.equal(cli(['ledger', 'backup', '--home', home, '--to', backupFile]).status, 1, 'never over an existing file');
    run.child.kill('SIGTERM');
    assert.equal(await run.done, 0);

    for (const s of ['', '-wal', '-shm']) rmSync(path.join(home, 'ledger.sqlite' + s), { force: true });
    assert.equal(reason(redeem(home, coupons[0]!)), 'FAULT:LEDGER_LOST');
    copyFileSync(backupFile, path.join(home, 'ledger.sqlite'));
    assert.equal(reason(redeem(home, coupons[0]!)), 'ALREADY_REDEEMED');
  });

  it('backup onto a USB stick (exFAT over FUSE: no hard links, no modes) works the same', async function () {
    needsRoot(this);
    assert.equal(reason(redeem(home, issue(keys))), 'ACCEPTED');
    const stick = mountExfat();
    try {
      const made = cli(['ledger', 'backup', '--home', home, '--to', path.join(stick.dir, 'ledger.sqlite'), '--json']);
      assert.equal(made.status, 0, made.stderr);
      assert.equal((JSON.parse(made.stdout) as { counts: { redemptions: number } }).counts.redemptions, 1);
      assert.deepEqual(readdirSync(stick.dir), ['ledger.sqlite'], 'no temporary file left');
      assert.equal(cli(['ledger', 'backup', '--home', home, '--to', path.join(stick.dir, 'ledger.sqlite')]).status, 1, 'never over an existing file');
    } finally {
      stick.unmount();
    }
  });

  it('reset: says what it would retire, refuses while the service runs, then moves the ledger aside and starts anew', async () => {
    const c = issue(keys);
    assert.equal(reason(redeem(home, c)), 'ACCEPTED');
    const oldId = readHomeRecord(homePaths(home))?.ledger.id;
    const dry = cli(['ledger', 'reset', '--home', home]);
    assert.equal(dry.status, 2);
    assert.match(dry.stdout, new RegExp(`retire ledger ${oldId}`));
    assert.match(dry.stdout, /1 redemptions \(1 not uploaded, 1 not exported\)/);
    assert.match(dry.stdout, /could be redeemed again/);
    assert.match(dry.stdout, /Nothing was changed/);

    const run = spawnKiosk(['start', '--home', home, '--simulate', '--display', 'none', '--json']);
    await run.waitFor((e) => e['event'] === 'state' && e['phase'] === 'ready');
    const busy = cli(['ledger', 'reset', '--home', home, '--yes']);
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /LEDGER_BUSY.*stop the kiosk service first/);
    run.child.kill('SIGTERM');
    assert.equal(await run.done, 0);

    const done = cli(['ledger', 'reset', '--home', home, '--yes', '--json']);
    assert.equal(done.status, 0, done.stderr);
    const r = JSON.parse(done.stdout) as { retired: { id: string; movedTo: string }; created: { id: string } };
    assert.equal(r.retired.id, oldId);
    assert.ok(existsSync(path.join(home, r.retired.movedTo)), 'moved aside, not deleted');
    const record = readHomeRecord(homePaths(home));
    assert.equal(record?.ledger.id, r.created.id);
    assert.equal(record?.retired[0]?.id, oldId);
    assert.equal(reason(redeem(home, c)), 'ACCEPTED', 'the explicit reset forgets, as it said it would');
    assert.ok(readdirSync(home).some((n) => n.startsWith('ledger.sqlite.retired-')));
  });

  it('reset of a lost ledger retires its identity and starts anew', () => {
    assert.equal(reason(redeem(home, issue(keys))), 'ACCEPTED');
    rmSync(path.join(home, 'ledger.sqlite'));
    const done = cli(['ledger', 'reset', '--home', home, '--yes', '--json']);
    assert.equal(done.status, 0, done.stderr);
    assert.equal((JSON.parse(done.stdout) as { retired: { movedTo: unknown } }).retired.movedTo, null);
    assert.equal(reason(redeem(home, issue(keys))), 'ACCEPTED');
  });
});
