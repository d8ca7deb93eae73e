import assert from 'node:assert/strict';
import { runDoctor, formatReport } from '../../../device/doctor/doctor.js';
import type { CheckResult } from '../../../device/doctor/types.js';
import { FakeDoctorEnv, GID, HEALTHY_CONFIG, chardev, dir, file } from './fake-env.js';

async function doctor(env: FakeDoctorEnv): Promise<CheckResult[]> {
  return runDoctor(env, '/h', 'kiosk');
}

async function check(env: FakeDoctorEnv, id: string): Promise<CheckResult> {
  const r = (await doctor(env)).find((c) => c.id === id);
  assert.ok(r, `no check ${id}`);
  return r;
}

function withConfig(env: FakeDoctorEnv, patch: Record<string, unknown>): FakeDoctorEnv {
  env.files.set('/h/config.json', file(JSON.stringify({ ...HEALTHY_CONFIG, ...patch })));
  return env;
}

describe('kiosk doctor checks', () => {
  it('a healthy kiosk: every check ok, in a stable order', async () => {
    const env = new FakeDoctorEnv();
    const results = await doctor(env);
    assert.deepEqual(
      results.map((r) => `${r.id}:${r.status}`),
      ['user:ok', 'home:ok', 'config:ok', 'keys.trust:ok', 'keys.files:ok', 'ledger:ok', 'home.mode:ok', 'scanner:ok', 'i2c.device:ok', 'i2c.address:ok', 'gpio.chip:ok', 'gpio.lines:ok', 'clock.trusted:ok', 'clock.ntp:ok', 'disk:ok'],
    );
    assert.deepEqual(env.i2cOpened, [1]);
    assert.ok(results.every((r) => r.fix === undefined));
  });

  it('missing home: one failure, nothing else checked', async () => {
    const env = new FakeDoctorEnv();
    env.files.delete('/h');
    const results = await doctor(env);
    assert.deepEqual(results.map((r) => `${r.id}:${r.status}`), ['user:ok', 'home:fail']);
    assert.match(results[1]!.fix!, /install -d -o kiosk/);
  });

  it('missing service user: judged for the current user, with a warning', async () => {
    const env = new FakeDoctorEnv();
    env.commands.set('id -u kiosk', { code: 1, stdout: '', stderr: "id: 'kiosk': no such user" });
    const r = await check(env, 'user');
    assert.equal(r.status, 'warn');
    assert.match(r.message, /judged for tech/);
    assert.match(r.fix!, /useradd/);
  });

  it('config.json that is not JSON fails and device checks are skipped', async () => {
    const env = new FakeDoctorEnv();
    env.files.set('/h/config.json', file('{ "scanner": '));
    const results = await doctor(env);
    assert.equal(results.find((r) => r.id === 'config')?.status, 'fail');
    assert.equal(results.find((r) => r.id === 'devices')?.status, 'warn');
    assert.equal(results.find((r) => r.id === 'scanner'), undefined);
  });

  it('config.json with a bad value names the field', async () => {
    const env = withConfig(new FakeDoctorEnv(), { display: { driver: 'ssd1306', ssd1306: { address: 999 } } });
    const r = await check(env, 'config');
    assert.equal(r.status, 'fail');
    assert.match(r.message, /display\.ssd1306\.address/);
  });

  it('a merchant key readable by others fails with the chmod/chown that fixes it', async () => {
    const env = new FakeDoctorEnv();
    env.files.set('/h/keys/m1.pem', file('k', 0o644));
    env.files.set('/h/keys', dir(0o755));
    const r = await check(env, 'keys.mode');
    assert.equal(r.status, 'fail');
    assert.match(r.message, /\/h\/keys is mode 0755.*\/h\/keys\/m1\.pem is mode 0644/);
    assert.equal(r.fix, 'chown kiosk /h/keys && chmod 700 /h/keys\nchown kiosk /h/keys/m1.pem && chmod 600 /h/keys/m1.pem');
  });

  it('a key owned by another user fails even with mode 0600', async () => {
    const env = new FakeDoctorEnv();
    env.files.set('/h/keys/m1.pem', file('k', 0o600, 0));
    const r = await check(env, 'keys.mode');
    assert.match(r.message, /owned by uid 0/);
  });

  it('no keys and no trust.json: both fail, pointing at provisioning', async () => {
    const env = new FakeDoctorEnv();
    env.files.delete('/h/keys/m1.pem');
    env.files.delete('/h/trust.json');
    assert.equal((await check(env, 'keys.files')).status, 'fail');
    const t = await check(env, 'keys.trust');
    assert.equal(t.status, 'fail');
    assert.match(t.fix!, /kiosk provision/);
  });

  it('serial scanner missing', async () => {
    const env = new FakeDoctorEnv();
    env.files.delete('/dev/ttyACM0');
    const r = await check(env, 'scanner');
    assert.equal(r.status, 'fail');
    assert.match(r.fix!, /by-id/);
  });

  it('serial scanner without permission: add the user to the device group', async () => {
    const env = new FakeDoctorEnv();
    env.commands.set('id -G kiosk', { code: 0, stdout: '1001 998 997', stderr: '' });
    const r = await check(env, 'scanner');
    assert.equal(r.status, 'fail');
    assert.equal(r.fix, 'add user kiosk to group dialout (usermod -aG dialout kiosk), then restart the service');
  });

  it('HID scanner by VID:PID: found through sysfs; root-only hidraw needs a udev rule', async () => {
    const env = withConfig(new FakeDoctorEnv(), { scanner: { driver: 'hid', hid: { device: '0c2e:0B61' } } });
    env.files.set('/sys/class/hidraw/hidraw3', dir(0o755, 0));
    env.files.set('/sys/class/hidraw/hidraw3/device/uevent', file('DRIVER=hid-generic\nHID_ID=0003:00000C2E:00000B61\nHID_NAME=Honeywell\n'));
    env.files.set('/dev/hidraw3', chardev(GID.root, 0o600));
    const r = await check(env, 'scanner');
    assert.equal(r.status, 'fail');
    assert.match(r.message, /\/dev\/hidraw3 is mode 0600/);
    assert.match(r.fix!, /SUBSYSTEM=="hidraw", ATTRS\{idVendor\}=="0c2e", ATTRS\{idProduct\}=="0b61"/);
    env.files.set('/dev/hidraw3', chardev(GID.kiosk, 0o660));
    assert.equal((await check(env, 'scanner')).status, 'ok');
  });

  it('HID scanner not plugged in', async () => {
    const env = withConfig(new FakeDoctorEnv(), { scanner: { driver: 'hid', hid: { device: '0c2e:0b61' } } });
    const r = await check(env, 'scanner');
    assert.equal(r.status, 'fail');
    assert.match(r.message, /no hidraw device/);
  });

  it('I2C bus disabled fails for ssd1306 and only warns for auto', async () => {
    const env = new FakeDoctorEnv();
    env.files.delete('/dev/i2c-1');
    const r = await check(env, 'i2c.device');
    assert.equal(r.status, 'fail');
    assert.match(r.fix!, /raspi-config nonint do_i2c 0/);
    withConfig(env, { display: { driver: 'auto' } });
    assert.equal((await check(env, 'i2c.device')).status, 'warn');
  });

  it('I2C bus without permission: group i2c', async () => {
    const env = new FakeDoctorEnv();
    env.commands.set('id -G kiosk', { code: 0, stdout: '1001 20 997', stderr: '' });
    assert.match((await check(env, 'i2c.device')).fix!, /usermod -aG i2c kiosk/);
  });

  it('the SSD1306 does not answer at its address', async () => {
    const env = new FakeDoctorEnv();
    env.i2c.answering = [0x3d];
    const r = await check(env, 'i2c.address');
    assert.equal(r.status, 'fail');
    assert.match(r.message, /nothing answers at 0x3c on \/dev\/i2c-1/);
    assert.match(r.fix!, /i2cdetect -y 1/);
  });

  it('without the i2c-bus module the probe is a warning that says so', async () => {
    const env = new FakeDoctorEnv();
    env.i2c.missingModule = true;
    const r = await check(env, 'i2c.address');
    assert.equal(r.status, 'warn');
    assert.match(r.message, /i2c-bus module/);
  });

  it('gpiochip without permission: group gpio / udev rule', async () => {
    const env = new FakeDoctorEnv();
    env.files.set('/dev/gpiochip0', chardev(GID.root, 0o600));
    const r = await check(env, 'gpio.chip');
    assert.equal(r.status, 'fail');
    assert.match(r.fix!, /KERNEL=="gpiochip\*", GROUP="gpio".*usermod -aG gpio kiosk/);
  });

  it('a GPIO line held by another consumer fails and names it', async () => {
    const env = new FakeDoctorEnv();
    env.commands.set('gpioinfo', { code: 0, stdout: '\ngpiochip0 - 54 lines:\n\tline  17:\t"GPIO17"\toutput consumer="led0"\n\tline  22:\t"GPIO22"\tinput\n\tline  27:\t"GPIO27"\tinput\n', stderr: '' });
    const r = await check(env, 'gpio.lines');
    assert.equal(r.status, 'fail');
    assert.match(r.message, /green \(gpiochip0:17\) used by "led0"/);
  });

  it('a line name that gpioinfo does not know fails', async () => {
    const env = withConfig(new FakeDoctorEnv(), { indicator: { driver: 'gpio', gpio: { green: { name: 'LED_GREEN' } } } });
    const r = await check(env, 'gpio.lines');
    assert.equal(r.status, 'fail');
    assert.match(r.message, /green \("LED_GREEN"\) not found/);
  });

  it('without gpioinfo: a warning naming the package', async () => {
    const env = new FakeDoctorEnv();
    env.commands.set('gpioinfo', undefined);
    const r = await check(env, 'gpio.lines');
    assert.equal(r.status, 'warn');
    assert.match(r.fix!, /apt-get install gpiod/);
  });

  it('system clock behind the ledger\'s trusted time fails', async () => {
    const env = new FakeDoctorEnv();
    env.trusted = 1_800_000_000;
    env.clock = 1_700_000_000_000;
    const r = await check(env, 'clock.trusted');
    assert.equal(r.status, 'fail');
    assert.match(r.message, /2023-11-14T22:13:20.000Z is behind the ledger's trusted time 2027-01-15T08:00:00.000Z/);
  });

  it('a trusted time far ahead of a right clock fails too, and names kiosk clock reset', async () => {
    const env = new FakeDoctorEnv();
    env.trusted = Math.floor(env.clock / 1000) + 365 * 86_400;
    const r = await check(env, 'clock.trusted');
    assert.equal(r.status, 'fail');
    assert.match(r.fix!, /kiosk clock reset --home \/h --yes/);
    env.trusted = Math.floor(env.clock / 1000) + 60;
    assert.equal((await check(env, 'clock.trusted')).status, 'warn', 'a minute ahead: a fast platform clock');
  });

  describe('the ledger (issue 7.6: diagnostics must not hide a lost ledger)', () => {
    it('a lost ledger fails, with the restore steps', async () => {
      const env = new FakeDoctorEnv();
      env.ledger = { state: 'unavailable', path: '/h/ledger.sqlite', code: 'LEDGER_LOST', message: 'ledger /h/ledger.sqlite: the file is missing, but …' };
      const r = await check(env, 'ledger');
      assert.equal(r.status, 'fail');
      assert.match(r.message, /the ledger is lost: LEDGER_LOST/);
      assert.match(r.fix!, /systemctl stop coupon-kiosk\n.*\n.*install -m 600 -o kiosk BACKUP\.sqlite \/h\/ledger\.sqlite\n.*\n.*kiosk ledger reset --home \/h --yes/);
      assert.equal((await check(env, 'clock.trusted')).status, 'warn');
    });

    it('a damaged page is a failure, not a warning', async () => {
      const env = new FakeDoctorEnv();
      env.ledger = { state: 'ok', path: '/h/ledger.sqlite', id: null, integrity: '*** in database main ***\nPage 7: btreeInitPage() returns error code 11', trustedTime: 0 };
      const r = await check(env, 'ledger');
      assert.equal(r.status, 'fail');
      assert.match(r.message, /damaged .*Page 7/);
    });

    it('no ledger yet is fine: the service makes it', async () => {
      const env = new FakeDoctorEnv();
      env.ledger = { state: 'none', path: '/h/ledger.sqlite' };
      env.files.delete('/h/ledger.sqlite');
      assert.equal((await check(env, 'ledger')).status, 'ok');
    });

    it('a symlinked key fails, as the service would refuse it', async () => {
      const env = new FakeDoctorEnv();
      env.files.set('/h/keys/m1.pem', { ...file('-----BEGIN PRIVATE KEY-----', 0o600), isSymlink: true });
      const r = await check(env, 'keys.mode');
      assert.equal(r.status, 'fail');
      assert.match(r.message, /\/h\/keys\/m1\.pem is a symlink/);
      assert.match(r.fix!, /cp --remove-destination/);
    });

    it('a home or ledger others may read fails, with chmod', async () => {
      const env = new FakeDoctorEnv();
      env.files.set('/h', dir(0o755));
      env.files.set('/h/ledger.sqlite-wal', file('', 0o644));
      const r = await check(env, 'home.mode');
      assert.equal(r.status, 'fail');
      assert.match(r.message, /\/h is mode 0755.*\/h\/ledger\.sqlite-wal is mode 0644/);
      assert.deepEqual(r.fix!.split('\n'), ['chown kiosk /h && chmod 700 /h', 'chown kiosk /h/ledger.sqlite-wal && chmod 600 /h/ledger.sqlite-wal']);
    });
  });

  it('NTP not synchronized, or timedatectl absent: warnings', async () => {
    const env = new FakeDoctorEnv();
    env.commands.set('timedatectl show -p NTPSynchronized --value', { code: 0, stdout: 'no\n', stderr: '' });
    assert.equal((await check(env, 'clock.ntp')).status, 'warn');
    env.commands.delete('timedatectl show -p NTPSynchronized --value');
    assert.match((await check(env, 'clock.ntp')).message, /timedatectl not available/);
  });

  it('disk space: warn under 200 MB, fail under 20 MB', async () => {
    const env = new FakeDoctorEnv();
    env.free = 100 * 2 ** 20;
    assert.equal((await check(env, 'disk')).status, 'warn');
    env.free = 10 * 2 ** 20;
    const r = await check(env, 'disk');
    assert.equal(r.status, 'fail');
    assert.match(r.message, /only 10 MB free/);
  });

  it('drivers that need no device are reported as such', async () => {
    const env = withConfig(new FakeDoctorEnv(), { scanner: { driver: 'stdin' }, display: { driver: 'terminal' }, indicator: { driver: 'log' } });
    const results = await doctor(env);
    assert.ok(results.every((r) => r.status === 'ok'), JSON.stringify(results));
    assert.equal(env.i2cOpened.length, 0);
  });

  it('the human report: one line per check, mark and fix indented under it', () => {
    const text = formatReport([
      { id: 'home', status: 'ok', message: '/h exists' },
      { id: 'disk', status: 'warn', message: '100 MB free', fix: 'free space' },
      { id: 'scanner', status: 'fail', message: 'missing', fix: 'plug it in\nor set the path' },
    ]);
    assert.equal(
      text,
      [
        '✔ home           /h exists',
        '! disk           100 MB free',
        '    fix: free space',
        '✘ scanner        missing',
        '    fix: plug it in',
        '    fix: or set the path',
        '',
        '1 ok, 1 warning(s), 1 failed',
        '',
      ].join('\n'),
    );
  });
});
