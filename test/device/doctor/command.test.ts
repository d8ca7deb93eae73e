import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { captureStream } from '../../support/capture.js';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../../device/cli/commands/doctor.js';
import { realDoctorEnv } from '../../../device/doctor/env.js';
import type { DoctorEnv } from '../../../device/doctor/types.js';
import { FakeDoctorEnv } from './fake-env.js';
import { parseConfig } from '../../../device/config.js';
import { checkLedger } from '../../../device/doctor/ledger-checks.js';
import { homePaths } from '../../../device/home.js';
import { openHomeLedger } from '../../../device/home-ledger.js';
import { silentLogger } from '../../../device/logger.js';

const capture = captureStream;

describe('kiosk doctor command', () => {
  it('--json on a healthy kiosk: exit 0 and every check ok', async () => {
    const { out, text } = capture();
    const code = await run(['--home', '/h', '--json'], { env: new FakeDoctorEnv(), out });
    const report = JSON.parse(text()) as { ok: boolean; home: string; checks: { id: string; status: string }[] };
    assert.equal(code, 0);
    assert.equal(report.ok, true);
    assert.equal(report.home, '/h');
    assert.ok(report.checks.length >= 10 && report.checks.every((c) => c.status === 'ok'));
  });

  it('a failed check: exit 1 and the fix in the human output', async () => {
    const env = new FakeDoctorEnv();
    env.files.delete('/dev/ttyACM0');
    const { out, text } = capture();
    const code = await run([], { env, out, environ: { KIOSK_HOME: '/h' } });
    assert.equal(code, 1);
    assert.match(text(), /^✘ scanner +serial scanner: \/dev\/ttyACM0 not found\n {4}fix: plug the scanner in/m);
  });

  it('warnings alone still exit 0', async () => {
    const env = new FakeDoctorEnv();
    env.free = 100 * 2 ** 20;
    assert.equal(await run(['--home', '/h'], { env, out: capture().out }), 0);
  });

  it('bad usage exits 2', async () => {
    const err = capture();
    assert.equal(await run(['--bogus'], { env: new FakeDoctorEnv(), out: capture().out, err: err.out }), 2);
    assert.match(err.text(), /usage: kiosk doctor/);
  });

  it('the real environment on a temp home: real file modes, free space and missing ledger', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'kiosk-doctor-'));
    try {
      mkdirSync(path.join(home, 'keys'), { mode: 0o700 });
      writeFileSync(path.join(home, 'keys', 'm.pem'), 'x');
      chmodSync(path.join(home, 'keys', 'm.pem'), 0o644);
      writeFileSync(path.join(home, 'config.json'), JSON.stringify({ scanner: { driver: 'stdin' }, display: { driver: 'none' }, indicator: { driver: 'log' } }));
      const fake = new FakeDoctorEnv();
      const me = process.getuid!();
      // the real env for files; fake commands so the service user is whoever runs the test
      const env: DoctorEnv = { ...realDoctorEnv(), run: async (cmd, args) => (cmd === 'id' ? { code: 0, stdout: `${me}`, stderr: '' } : fake.run(cmd, args)) };
      const { out, text } = capture();
      const code = await run(['--home', home, '--json', '--user', 'someone'], { env, out });
      const checks = new Map((JSON.parse(text()) as { checks: { id: string; status: string; message: string }[] }).checks.map((c) => [c.id, c]));
      assert.equal(code, 1);
      assert.equal(checks.get('keys.mode')?.status, 'fail');
      assert.match(checks.get('keys.mode')!.message, /m\.pem is mode 0644/);
      assert.equal(checks.get('keys.trust')?.status, 'fail');
      assert.equal(checks.get('clock.trusted')?.status, 'ok');
      assert.match(checks.get('disk')!.message, /MB free/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('the real environment inspects the home\'s ledger read-only: trusted time, lost, damaged page', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'kiosk-doctor-'));
    try {
      const config = parseConfig({}, { home });
      const env = realDoctorEnv();
      assert.deepEqual(await env.inspectLedger(home, config), { state: 'none', path: config.ledgerPath });
      const ledger = openHomeLedger(homePaths(home), config, { logger: silentLogger() });
      ledger.raiseTrustedTime(1_900_000_000, 'test');
      for (let i = 0; i < 400; i++) ledger.logScan({ at: i, reason: 'NOT_A_COUPON', textHash: 'ab'.repeat(32) });
      ledger.close();
      const fine = await env.inspectLedger(home, config);
      assert.ok(fine.state === 'ok' && fine.trustedTime === 1_900_000_000 && fine.integrity === 'ok');

      // a damaged page of the scan log: doctor must fail, whatever opens first
      const raw = new Database(config.ledgerPath, { readonly: true });
      const root = Number(raw.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'scans'`).pluck().get());
      const pageSize = Number(raw.pragma('page_size', { simple: true }));
      raw.close();
      const fd = openSync(config.ledgerPath, 'r+');
      writeSync(fd, Buffer.alloc(64, 0xee), 0, 64, (root - 1) * pageSize);
      closeSync(fd);
      const damaged = await env.inspectLedger(home, config);
      const r = checkLedger({ env, home, user: { name: 'kiosk', uid: 0, gids: [] }, config }, damaged);
      assert.equal(r.status, 'fail', JSON.stringify(damaged));
      assert.match(r.fix!, /restore the newest backup/);

      for (const s of ['', '-wal', '-shm']) rmSync(config.ledgerPath + s, { force: true });
      const lost = await env.inspectLedger(home, config);
      assert.equal(lost.state === 'unavailable' && lost.code, 'LEDGER_LOST');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
