import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEVICE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../provisioning/device');
const SETUP = path.join(DEVICE, 'setup.sh');

describe('provisioning/device/setup.sh', () => {
  it('is valid bash, and --dry-run lists every step without changing anything', () => {
    assert.equal(spawnSync('bash', ['-n', SETUP]).status, 0);
    const r = spawnSync('bash', [SETUP, '--dry-run', '--user', 'till7', '--home', '/srv/kiosk-test-home']);
    assert.equal(r.status, 0, r.stderr.toString());
    const out = r.stdout.toString();
    for (const step of [
      /apt-get install -y .*gpiod.*unifont.*i2c-tools/,
      /npm --prefix \S+ ci/,
      /install -d -m 0700 -o till7 -g till7 \/srv\/kiosk-test-home/,
      /render .*70-coupon-kiosk.rules -> \/etc\/udev\/rules.d\/70-coupon-kiosk.rules/,
      /render .*coupon-kiosk.service -> \/etc\/systemd\/system\/coupon-kiosk.service/,
      /systemctl enable coupon-kiosk.service/,
      /kiosk.js doctor --home \/srv\/kiosk-test-home/,
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
    assert.match(unit, /^ReadWritePaths=@HOME_DIR@$/m);
  });
});
