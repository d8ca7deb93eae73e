import assert from 'node:assert/strict';
import { captureStream } from '../../support/capture.js';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../../device/cli/commands/doctor.js';
import { realDoctorEnv } from '../../../device/doctor/env.js';
import type { DoctorEnv } from '../../../device/doctor/types.js';
import { FakeDoctorEnv } from './fake-env.js';
import { openLedger } from '../../../device/ledger/index.js';
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

  it('the real environment reads the trusted time from a real ledger, read-only', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'kiosk-doctor-'));
    try {
      const file = path.join(home, 'ledger.sqlite');
      const ledger = openLedger(file, { logger: silentLogger() });
      ledger.raiseTrustedTime(1_900_000_000, 'test');
      ledger.close();
      assert.equal(await realDoctorEnv().trustedTime(file), 1_900_000_000);
      assert.equal(await realDoctorEnv().trustedTime(path.join(home, 'none.sqlite')), undefined);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
