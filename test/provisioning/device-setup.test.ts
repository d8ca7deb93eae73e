import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { needTool } from '../support/host-tool.js';

const DEVICE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../provisioning/device');
const SETUP = path.join(DEVICE, 'setup.sh');

describe('provisioning/device/setup.sh', () => {
  it('is valid bash, and --dry-run lists every step without changing anything', () => {
    assert.equal(spawnSync('bash', ['-n', SETUP]).status, 0);
    const r = spawnSync('bash', [SETUP, '--dry-run', '--user', 'till7', '--home', '/srv/kiosk-test-home']);
    assert.equal(r.status, 0, r.stderr.toString());
    const out = r.stdout.toString();
    for (const step of [
      /apt-get install -y .*gpiod.*unifont.*i2c-tools.*libusb-1\.0-0/,
      /check node >= 20\.19/,
      /npm --prefix \S+ ci/,
      /install -d -m 0700 -o till7 -g till7 \/srv\/kiosk-test-home/,
      /render .*70-coupon-kiosk.rules -> \/etc\/udev\/rules.d\/70-coupon-kiosk.rules/,
      /render .*coupon-kiosk-modules.conf -> \/etc\/modules-load.d\/coupon-kiosk.conf/,
      /render .*coupon-kiosk.service -> \/etc\/systemd\/system\/coupon-kiosk.service/,
      /systemctl enable coupon-kiosk.service/,
      /write \/usr\/local\/bin\/kiosk/,
      /kiosk doctor --home \/srv\/kiosk-test-home/,
    ]) {
      assert.match(out, step);
    }
  });

  it('refuses unknown options', () => {
    const r = spawnSync('bash', [SETUP, '--dry-run', '--frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr.toString(), /unknown option --frobnicate/);
  });

  it('templates use only the placeholders setup.sh fills in, and the unit runs the built CLI as the service user', () => {
    const unit = readFileSync(path.join(DEVICE, 'coupon-kiosk.service'), 'utf8');
    const rules = readFileSync(path.join(DEVICE, '70-coupon-kiosk.rules'), 'utf8');
    const placeholders = new Set([...(unit + rules).matchAll(/@[A-Z_]+@/g)].map((m) => m[0]));
    assert.deepEqual([...placeholders].sort(), ['@APP_DIR@', '@HOME_DIR@', '@USER@']);
    assert.match(unit, /^ExecStart=\/usr\/bin\/node @APP_DIR@\/dist\/device\/cli\/kiosk\.js start$/m);
    assert.match(unit, /^User=@USER@$/m);
    assert.match(unit, /^Environment=KIOSK_HOME=@HOME_DIR@$/m);
    assert.match(unit, /^ReadWritePaths=@HOME_DIR@ /m);
  });

  describe('the installed systemd unit', () => {
    const HOME = '/srv/kiosk-test-home';
    /** the unit exactly as setup.sh installs it (its --print-unit shares the install step's template filling) */
    const rendered = (): string => {
      const r = spawnSync('bash', [SETUP, '--print-unit', '--user', 'till7', '--home', HOME]);
      assert.equal(r.status, 0, r.stderr.toString());
      return r.stdout.toString();
    };

    it('is the template with the placeholders filled in, nothing else', () => {
      const unit = readFileSync(path.join(DEVICE, 'coupon-kiosk.service'), 'utf8');
      const app = path.resolve(DEVICE, '../..');
      assert.equal(rendered(), unit.replaceAll('@USER@', 'till7').replaceAll('@HOME_DIR@', HOME).replaceAll('@APP_DIR@', app));
    });

    it('is Type=notify with a watchdog, keeps the home, the sticks and the device nodes, and drops every capability', () => {
      const unit = rendered();
      for (const line of [
        'Type=notify', 'NotifyAccess=all', 'WatchdogSec=30', 'CapabilityBoundingSet=', 'AmbientCapabilities=',
        `ReadWritePaths=${HOME} -/media -/run/media -/mnt`, 'DevicePolicy=closed',
        'DeviceAllow=char-ttyACM rw', 'DeviceAllow=char-ttyUSB rw', 'DeviceAllow=char-hidraw rw', 'DeviceAllow=char-usb_device rw',
        'DeviceAllow=char-i2c rw', 'DeviceAllow=char-gpiochip rw',
        'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', 'SystemCallFilter=@system-service', 'SystemCallErrorNumber=EPERM',
      ]) {
        assert.ok(unit.split('\n').includes(line), `missing: ${line}`);
      }
      // V8's JIT needs writable-then-executable pages
      assert.doesNotMatch(unit, /^MemoryDenyWriteExecute=/m);
      assert.doesNotMatch(unit, /^After=.*network-online/m, 'the kiosk works offline: it must not wait for a network at boot');
    });

    it('every hardening directive is explained in docs/operations.md', () => {
      const doc = readFileSync(path.resolve(DEVICE, '../../docs/operations.md'), 'utf8');
      const hardening = (rendered().split('# --- hardening')[1] ?? '').split('[Install]')[0] ?? '';
      const keys = new Set([...hardening.matchAll(/^([A-Za-z]+)=/gm)].map((m) => m[1]!));
      assert.ok(keys.size > 20, `only ${keys.size} directives found`);
      for (const key of keys) assert.ok(doc.includes(`${key}`), `${key} is not explained`);
    });

    it('rates 2.5 or lower in systemd-analyze security --offline=true', function () {
      needTool(this, 'systemd-analyze', 'apt-get install systemd');
      const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-unit-'));
      try {
        const file = path.join(dir, 'coupon-kiosk.service');
        writeFileSync(file, rendered());
        const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', file], { encoding: 'utf8' });
        const score = /Overall exposure level for coupon-kiosk\.service: (\d+\.\d+)/.exec(r.stdout)?.[1];
        assert.ok(score !== undefined, `no rating in:\n${r.stdout}\n${r.stderr}`);
        assert.ok(Number(score) <= 2.5, `rated ${score}:\n${r.stdout}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
