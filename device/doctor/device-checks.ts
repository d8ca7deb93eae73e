/** Character devices: present, and read/write for the service user. */
import { canUse, fail, ok, octal, warn, type CheckResult, type DoctorContext } from './types.js';

export interface DeviceSpec {
  id: string;
  path: string;
  /** what it is, for the message: "serial scanner" */
  what: string;
  /** fix when the device is missing */
  missingFix: string;
  /** fix when no group grants access (e.g. a udev rule) */
  ruleFix: string;
  /** a missing device only warns (auto-detected drivers fall back) */
  optional?: boolean;
}

export async function checkDevice(ctx: DoctorContext, spec: DeviceSpec): Promise<CheckResult> {
  const info = await ctx.env.stat(spec.path);
  if (!info) {
    const msg = `${spec.what}: ${spec.path} not found`;
    return spec.optional ? warn(spec.id, msg, spec.missingFix) : fail(spec.id, msg, spec.missingFix);
  }
  const u = ctx.user.name;
  if (canUse(info, ctx.user, true)) return ok(spec.id, `${spec.what}: ${spec.path} present, read/write for ${u}`);
  const group = await ctx.env.groupName(info.gid);
  const groupGrants = (info.mode & 0o060) === 0o060;
  const fix =
    groupGrants && group
      ? `add user ${u} to group ${group} (usermod -aG ${group} ${u}), then restart the service`
      : spec.ruleFix;
  return fail(spec.id, `${spec.what}: ${spec.path} is mode ${octal(info.mode)} group ${group ?? info.gid}; ${u} cannot read and write it`, fix);
}

/** The scanner the config selects: a serial port path or a hidraw device. */
export async function checkScanner(ctx: DoctorContext): Promise<CheckResult> {
  const s = ctx.config!.scanner;
  const wantsSerial = s.driver === 'serial' || (s.driver === 'auto' && s.serial.path !== undefined);
  const wantsHid = s.driver === 'hid' || (s.driver === 'auto' && s.hid.device !== undefined);
  if (wantsSerial) {
    if (!s.serial.path) return ok('scanner', `serial scanner matched by USB id ${s.serial.vendorId}:${s.serial.productId} at start (not checked here)`);
    return checkDevice(ctx, {
      id: 'scanner',
      path: s.serial.path,
      what: 'serial scanner',
      missingFix: 'plug the scanner in; list stable names with: ls -l /dev/serial/by-id/ and set scanner.serial.path',
      ruleFix: `add user ${ctx.user.name} to group dialout (usermod -aG dialout ${ctx.user.name})`,
    });
  }
  if (wantsHid) return checkHidraw(ctx, s.hid.device ?? '');
  return ok('scanner', `scanner driver ${s.driver}: no device configured to check`);
}

const HID_RULE = (vid: string, pid: string, user: string): string =>
  `udev rule /etc/udev/rules.d/70-coupon-kiosk.rules: SUBSYSTEM=="hidraw", ATTRS{idVendor}=="${vid}", ATTRS{idProduct}=="${pid}", GROUP="${user}", MODE="0660" then: udevadm control --reload && udevadm trigger`;

/** "VID:PID" is looked up among /sys/class/hidraw/*\/device/uevent (HID_ID=0003:0000VVVV:0000PPPP). */
async function checkHidraw(ctx: DoctorContext, device: string): Promise<CheckResult> {
  const m = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(device);
  if (!m) {
    return checkDevice(ctx, { id: 'scanner', path: device, what: 'HID scanner', missingFix: 'plug the scanner in; list devices: ls -l /dev/hidraw*', ruleFix: HID_RULE('VVVV', 'PPPP', ctx.user.name) });
  }
  const [vid, pid] = [m[1]!.toLowerCase(), m[2]!.toLowerCase()];
  const found = await findHidraw(ctx, vid, pid);
  if (!found) return fail('scanner', `HID scanner ${vid}:${pid}: no hidraw device (unplugged, or another id: lsusb)`, 'plug the scanner in and check scanner.hid.device against lsusb');
  return checkDevice(ctx, { id: 'scanner', path: found, what: `HID scanner ${vid}:${pid}`, missingFix: 'plug the scanner in', ruleFix: HID_RULE(vid, pid, ctx.user.name) });
}

async function findHidraw(ctx: DoctorContext, vid: string, pid: string): Promise<string | undefined> {
  const want = new RegExp(`^HID_ID=[0-9a-f]+:0*${vid}:0*${pid}$`, 'im');
  for (const name of (await ctx.env.readdir('/sys/class/hidraw')).sort()) {
    const uevent = await ctx.env.readFile(`/sys/class/hidraw/${name}/device/uevent`).catch(() => '');
    if (want.test(uevent)) return `/dev/${name}`;
  }
  return undefined;
}

/** /dev/i2c-N usable, and the SSD1306 answers at its address. */
export async function checkI2c(ctx: DoctorContext): Promise<CheckResult[]> {
  const d = ctx.config!.display;
  if (d.driver !== 'ssd1306' && d.driver !== 'auto') return [ok('i2c', `display driver ${d.driver}: no I2C to check`)];
  const { bus, address } = d.ssd1306;
  const optional = d.driver === 'auto';
  const dev = await checkDevice(ctx, {
    id: 'i2c.device',
    path: `/dev/i2c-${bus}`,
    what: 'I2C bus',
    missingFix: 'enable I2C: raspi-config nonint do_i2c 0 (or dtparam=i2c_arm=on in /boot/firmware/config.txt), then reboot',
    ruleFix: `add user ${ctx.user.name} to group i2c (usermod -aG i2c ${ctx.user.name})`,
    optional,
  });
  if (dev.status !== 'ok') return [dev];
  return [dev, await probeI2c(ctx, bus, address, optional)];
}

async function probeI2c(ctx: DoctorContext, bus: number, address: number, optional: boolean): Promise<CheckResult> {
  const hex = `0x${address.toString(16).padStart(2, '0')}`;
  let probe;
  try {
    probe = await ctx.env.openI2c(bus);
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === 'I2C_MODULE_MISSING') return warn('i2c.address', `cannot probe ${hex}: ${e.message}`, 'npm install i2c-bus (needs build tools: apt-get install build-essential python3)');
    return fail('i2c.address', `cannot open /dev/i2c-${bus}: ${e.message}`, `check permissions of /dev/i2c-${bus}`);
  }
  try {
    const found = await probe.scan(address);
    if (found.includes(address)) return ok('i2c.address', `SSD1306 answers at ${hex} on /dev/i2c-${bus}`);
    const msg = `nothing answers at ${hex} on /dev/i2c-${bus}`;
    const fix = `check the wiring (VCC, GND, SDA, SCL) and the address (0x3c or 0x3d): i2cdetect -y ${bus}; set display.ssd1306.address`;
    return optional ? warn('i2c.address', msg, fix) : fail('i2c.address', msg, fix);
  } finally {
    await probe.close().catch(() => undefined);
  }
}
