import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { issue, makeKeys, removeDir, tempDir, writeKeyFiles, type TestKeys } from './helpers.js';
import { KIOSK_CLI, provisionWithCli, spawnKiosk } from './spawn-kiosk.js';

interface StatusJson {
  counts: { redemptions: number; scans: number };
  lastScan: { reason: string };
  clock: string;
  trustedTime: string | null;
  merchantKeys: { kind: string }[];
}

const env = { ...process.env, KIOSK_LOG_LEVEL: 'warn' };
const kiosk = (args: string[], input?: string): string => execFileSync(process.execPath, [KIOSK_CLI, ...args], { env, input: input ?? '' }).toString();

describe('kiosk CLI commands', function () {
  this.timeout(30_000);
  let dir: string;
  let home: string;
  let keys: TestKeys;
  before(() => (keys = makeKeys()));
  beforeEach(() => {
    dir = tempDir();
    home = provisionWithCli(dir, keys);
  });
  afterEach(() => removeDir(dir));

  it('provision import prints the kids and is idempotent', () => {
    const f = writeKeyFiles(dir, keys);
    const out = kiosk(['provision', 'import', '--home', home, '--platform-id', 'test-platform', '--platform-key', f.platformKey, '--merchant-id', 'test-merchant', '--merchant-key', f.merchantKey, '--json']);
    const r = JSON.parse(out) as { platformKid: string; merchantKid: string; trustChanged: boolean; keyWritten: boolean };
    assert.match(r.platformKid, /^[0-9a-f]{16}$/);
    assert.equal(r.trustChanged, false);
    assert.equal(r.keyWritten, false);
    assert.equal(statSync(path.join(home, 'keys')).mode & 0o777, 0o700);
  });

  it('redeem, ledger list and status agree', () => {
    const a = issue(keys);
    const lines = kiosk(['redeem', '--home', home, '-'], `${a}\n${a}\n\nnope\n`).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l['reason']), ['ACCEPTED', 'ALREADY_REDEEMED', 'NOT_A_COUPON']);
    const listed = kiosk(['ledger', 'list', '--home', home, '--json']).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(listed.map((r) => r['serial']), [lines[0]?.['serial']]);
    const status = JSON.parse(kiosk(['status', '--home', home, '--json'])) as StatusJson;
    assert.equal(status.counts.redemptions, 1);
    assert.equal(status.counts.scans, 3);
    assert.equal(status.lastScan.reason, 'NOT_A_COUPON');
    assert.equal(status.clock, 'ok');
    assert.ok(status.trustedTime);
    assert.equal(status.merchantKeys[0]?.kind, 'x25519');
    assert.match(kiosk(['status', '--home', home]), /merchant {4}x25519 key [0-9a-f]{16}/);
  });

  it('every command has --help, and a bad option is a usage error (status 2)', () => {
    for (const cmd of [['start'], ['redeem'], ['status'], ['ledger'], ['provision']]) assert.match(kiosk([...cmd, '--help']), /usage: kiosk/);
    const bad = spawnSync(process.execPath, [KIOSK_CLI, 'start', '--display', 'neon'], { env });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr.toString(), /--display must be one of blocks, text, none, got "neon"/);
  });

  it('a bad config.json is reported with every problem at once', () => {
    execFileSync('sh', ['-c', `echo '{"language":"fr","display":{"ssd1306":{"address":999}}}' > ${path.join(home, 'config.json')}`]);
    const r = spawnSync(process.execPath, [KIOSK_CLI, 'status', '--home', home], { env });
    assert.equal(r.status, 1);
    const err = r.stderr.toString();
    assert.match(err, /CONFIG_INVALID/);
    assert.match(err, /language: must be one of/);
    assert.match(err, /display\.ssd1306\.address/);
  });

  it('start --serial-path runs the real serial driver: no port is a scanner fault, not a crash, and SIGTERM stops it', async () => {
    const run = spawnKiosk(['start', '--home', home, '--json', '--display', 'none', '--serial-path', path.join(dir, 'no-such-tty')]);
    await run.waitFor((e) => e['event'] === 'fault' && e['fault'] === 'SCANNER_DISCONNECTED' && String(e['detail']).includes('serial'));
    await run.waitFor((e) => e['event'] === 'state' && e['phase'] === 'ready');
    assert.ok(run.events.some((e) => e['event'] === 'scanner' && e['state'] === 'disconnected'));
    run.child.kill('SIGTERM');
    assert.equal(await run.done, 0);
  });

  it('start scanner flags are validated like config.json', () => {
    const r = spawnSync(process.execPath, [KIOSK_CLI, 'start', '--home', home, '--scanner', 'serial', '--baud', 'fast'], { env });
    assert.equal(r.status, 1);
    assert.match(r.stderr.toString(), /scanner\.serial\.baudRate: must be an integer/);
    assert.match(r.stderr.toString(), /scanner\.serial: set a path|CONFIG_INVALID/);
  });

  it('start with stdin on /dev/null (as under systemd) stays up showing the scanner fault until SIGTERM', async () => {
    const run = spawnKiosk(['start', '--home', home, '--json', '--display', 'none'], { stdin: 'devnull' });
    await run.waitFor((e) => e['event'] === 'fault' && e['fault'] === 'SCANNER_DISCONNECTED');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(run.child.exitCode, null, 'still running');
    run.child.kill('SIGTERM');
    assert.equal(await run.done, 0);
  });

  it('redeem, start and verify agree: a coupon padded past the 4,096 cap is NOT_A_COUPON, never ACCEPTED', async () => {
    const f = writeKeyFiles(dir, keys);
    const padded = `${issue(keys)}${' '.repeat(5000)}JUNK`;
    const redeemed = JSON.parse(kiosk(['redeem', '--home', home, '-'], padded + '\n')) as Record<string, unknown>;
    const verified = JSON.parse(
      kiosk(['verify', '--merchant-key', f.merchantKey, '--platform-key', `test-platform=${f.platformPub}`, '--merchant-id', 'test-platform=test-merchant', '-'], padded + '\n'),
    ) as Record<string, unknown>;
    const run = spawnKiosk(['start', '--home', home, '--simulate', '--display', 'none', '--json']);
    run.child.stdin.end(padded + '\n');
    assert.equal(await run.done, 0);
    const started = run.events.find((e) => e['event'] === 'verdict');
    for (const [what, reason] of [['redeem', redeemed['reason']], ['verify', verified['reason']], ['start', started?.['reason']]]) {
      assert.equal(reason, 'NOT_A_COUPON', String(what));
    }
    assert.match(String(redeemed['message']), /more than 4096/);
    assert.match(String(verified['message']), /more than 4096/);
  });

  it('redeem frames stdin like the kiosk scanner: CR endings, blank lines dropped, an overlong line cut and rejected', () => {
    const a = issue(keys);
    const out = kiosk(['redeem', '--home', home, '-'], `${'A'.repeat(10_000)}\r\r\n${a}\r`).trim().split('\n');
    const events = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(events.map((e) => e['reason']), ['NOT_A_COUPON', 'ACCEPTED']);
    assert.match(String(events[0]?.['message']), /4097 characters/);
  });
});
